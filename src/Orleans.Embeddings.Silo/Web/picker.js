// Finds the point under the pointer: the points' first two coordinates bucketed in a uniform grid of about two
// points a cell (a counting sort into one index array), so that a query looks at the few cells around it.
export class PointPicker {
  constructor(positions, dims, count, bounds) {
    this.positions = positions;
    this.dims = dims;
    this.count = count;
    this.minX = bounds.minX;
    this.minY = bounds.minY;
    this.cells = Math.max(1, Math.ceil(Math.sqrt(count / 2)));
    this.cellX = Math.max((bounds.maxX - bounds.minX) / this.cells, 1e-12);
    this.cellY = Math.max((bounds.maxY - bounds.minY) / this.cells, 1e-12);
    const cellOf = new Int32Array(count);
    this.starts = new Int32Array(this.cells * this.cells + 1);
    for (let i = 0; i < count; i++) {
      const cell = this.cellAt(this.x(i), this.y(i));
      cellOf[i] = cell;
      this.starts[cell + 1]++;
    }
    for (let c = 0; c < this.cells * this.cells; c++) this.starts[c + 1] += this.starts[c];
    const next = this.starts.slice(0, this.cells * this.cells);
    this.items = new Int32Array(count);
    for (let i = 0; i < count; i++) this.items[next[cellOf[i]]++] = i;
  }

  x(i) {
    return this.positions[i * this.dims];
  }

  y(i) {
    return this.dims > 1 ? this.positions[i * this.dims + 1] : 0;
  }

  column(x) {
    return Math.min(this.cells - 1, Math.max(0, Math.floor((x - this.minX) / this.cellX)));
  }

  row(y) {
    return Math.min(this.cells - 1, Math.max(0, Math.floor((y - this.minY) / this.cellY)));
  }

  cellAt(x, y) {
    return this.row(y) * this.cells + this.column(x);
  }

  /** The nearest point to (x, y) within `radius` (map units), or -1. */
  nearest(x, y, radius) {
    let best = -1;
    let bestDistance = radius * radius;
    const c0 = this.column(x - radius);
    const c1 = this.column(x + radius);
    const r0 = this.row(y - radius);
    const r1 = this.row(y + radius);
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const cell = r * this.cells + c;
        for (let k = this.starts[cell]; k < this.starts[cell + 1]; k++) {
          const i = this.items[k];
          const dx = this.x(i) - x;
          const dy = this.y(i) - y;
          const distance = dx * dx + dy * dy;
          if (distance <= bestDistance) {
            bestDistance = distance;
            best = i;
          }
        }
      }
    }
    return best;
  }
}
