// The colour of each label, the same as `embeddings render` (src/Orleans.Embeddings.Cli/Rendering/LabelPalette.cs):
// labels in ordinal order take Tableau's ten colours, then hues a golden angle apart; points without a label are
// dark grey.
const TABLEAU = [
  [0x4e, 0x79, 0xa7], [0xf2, 0x8e, 0x2b], [0xe1, 0x57, 0x59], [0x76, 0xb7, 0xb2], [0x59, 0xa1, 0x4f],
  [0xed, 0xc9, 0x48], [0xb0, 0x7a, 0xa1], [0xff, 0x9d, 0xa7], [0x9c, 0x75, 0x5f], [0xba, 0xb0, 0xac],
];

export const UNLABELLED = [0x55, 0x55, 0x55];

/** [r, g, b] of the label at `index` in ordinal order; -1 is no label. */
export function labelRgb(index) {
  if (index < 0) return UNLABELLED;
  if (index < TABLEAU.length) return TABLEAU[index];
  return hslToRgb((index * 137.508) % 360, 0.55, 0.55);
}

export function cssColor([r, g, b]) {
  return `rgb(${r}, ${g}, ${b})`;
}

/** The colour as one 32-bit pixel of a canvas ImageData seen through a little-endian Uint32Array (RGBA bytes). */
export function packRgba([r, g, b], a = 255) {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/** `rgb` moved towards `toward` by `amount` (0: unchanged, 1: `toward`). */
export function mix(rgb, toward, amount) {
  return rgb.map((c, i) => Math.round(c + (toward[i] - c) * amount));
}

function hslToRgb(h, s, l) {
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const x = c * (1 - Math.abs(((h / 60) % 2) - 1));
  const m = l - c / 2;
  const [r, g, b] = h < 60 ? [c, x, 0] : h < 120 ? [x, c, 0] : h < 180 ? [0, c, x] : h < 240 ? [0, x, c] : h < 300 ? [x, 0, c] : [c, 0, x];
  return [r, g, b].map((v) => Math.round((v + m) * 255));
}
