// Where the map is on screen: a uniform scale and the data point at the centre of the plot. Screen coordinates
// are CSS pixels from the plot's top left; the map's y grows upwards, the screen's downwards.
export class View {
  constructor() {
    this.width = 1;
    this.height = 1;
    this.scale = 1;
    this.cx = 0;
    this.cy = 0;
    // Set once the person zooms or pans: from then on new maps of a running job no longer refit the view.
    this.moved = false;
  }

  setSize(width, height) {
    this.width = Math.max(1, width);
    this.height = Math.max(1, height);
  }

  /** Fits the bounds {minX, maxX, minY, maxY} into the plot with a margin. */
  fit(bounds) {
    const spanX = Math.max(bounds.maxX - bounds.minX, 1e-9);
    const spanY = Math.max(bounds.maxY - bounds.minY, 1e-9);
    this.scale = 0.92 * Math.min(this.width / spanX, this.height / spanY);
    this.cx = (bounds.minX + bounds.maxX) / 2;
    this.cy = (bounds.minY + bounds.maxY) / 2;
  }

  toScreenX(x) {
    return this.width / 2 + (x - this.cx) * this.scale;
  }

  toScreenY(y) {
    return this.height / 2 - (y - this.cy) * this.scale;
  }

  toDataX(sx) {
    return this.cx + (sx - this.width / 2) / this.scale;
  }

  toDataY(sy) {
    return this.cy - (sy - this.height / 2) / this.scale;
  }

  /** Zooms by `factor` keeping the data point under (sx, sy) where it is. */
  zoomAt(sx, sy, factor) {
    const x = this.toDataX(sx);
    const y = this.toDataY(sy);
    this.scale *= factor;
    this.cx = x - (sx - this.width / 2) / this.scale;
    this.cy = y + (sy - this.height / 2) / this.scale;
    this.moved = true;
  }

  panBy(dx, dy) {
    this.cx -= dx / this.scale;
    this.cy += dy / this.scale;
    this.moved = true;
  }
}

/** The bounds of the first two coordinates of `count` points of `dims` values each. */
export function boundsOf(positions, dims, count) {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < count; i++) {
    const x = positions[i * dims];
    const y = dims > 1 ? positions[i * dims + 1] : 0;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return count > 0 ? { minX, maxX, minY, maxY } : { minX: -1, maxX: 1, minY: -1, maxY: 1 };
}
