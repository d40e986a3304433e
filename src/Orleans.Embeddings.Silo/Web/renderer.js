// Draws every point as a small square straight into the canvas's pixels (one ImageData, one putImageData a frame):
// at 100,000 points that is a few milliseconds, with no WebGL needed, so it draws the same in every browser,
// headless ones included.
export class PointRenderer {
  constructor(canvas, background) {
    this.canvas = canvas;
    this.context = canvas.getContext('2d', { willReadFrequently: false });
    this.background = background;
    this.ratio = 1;
    this.image = null;
    this.pixels = null;
  }

  /** Matches the canvas to its CSS size times the device pixel ratio. */
  resize(cssWidth, cssHeight, ratio) {
    this.ratio = ratio;
    const width = Math.max(1, Math.round(cssWidth * ratio));
    const height = Math.max(1, Math.round(cssHeight * ratio));
    if (this.canvas.width !== width || this.canvas.height !== height || this.image === null) {
      this.canvas.width = width;
      this.canvas.height = height;
      this.image = this.context.createImageData(width, height);
      this.pixels = new Uint32Array(this.image.data.buffer);
    }
  }

  /**
   * Draws `count` points of `dims` coordinates (the first two are drawn) in the order they come, point i in the
   * packed colour colors[i], as squares of `size` CSS pixels.
   */
  draw(positions, dims, count, colors, view, size) {
    const { pixels, ratio } = this;
    const width = this.canvas.width;
    const height = this.canvas.height;
    pixels.fill(this.background);
    const side = Math.max(1, Math.round(size * ratio));
    const half = side >> 1;
    const scale = view.scale * ratio;
    const originX = (view.width / 2) * ratio - view.cx * scale;
    const originY = (view.height / 2) * ratio + view.cy * scale;
    for (let i = 0; i < count; i++) {
      const x = Math.round(originX + positions[i * dims] * scale) - half;
      const y = Math.round(originY - (dims > 1 ? positions[i * dims + 1] : 0) * scale) - half;
      if (x >= width || y >= height || x + side <= 0 || y + side <= 0) continue;
      const color = colors[i];
      const x0 = x < 0 ? 0 : x;
      const x1 = x + side > width ? width : x + side;
      const y1 = y + side > height ? height : y + side;
      for (let row = y < 0 ? 0 : y; row < y1; row++) {
        const start = row * width;
        for (let column = x0; column < x1; column++) pixels[start + column] = color;
      }
    }
    this.context.putImageData(this.image, 0, 0);
  }
}
