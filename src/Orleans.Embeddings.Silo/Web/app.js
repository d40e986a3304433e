// The map page: the map of a chosen job, coloured by label, with the thumbnail of the image under the pointer, a
// click that lists an image's nearest neighbours (in the embedding space and on the map) and highlights them, and,
// while a job runs, the points moving as its iterations arrive (the page polls the map every few hundred ms).
import * as api from './api.js';
import { cssColor, labelRgb, mix, packRgba } from './palette.js';
import { PointPicker } from './picker.js';
import { PointRenderer } from './renderer.js';
import { View, boundsOf } from './view.js';

const BACKGROUND = [0xff, 0xff, 0xff];
const POLL_MS = 300;
const JOBS_REFRESH_MS = 5000;
const TWEEN_MS = 250;
const NEIGHBORS = 10;
const PICK_PIXELS = 8;

const $ = (id) => document.getElementById(id);
const plot = $('plot');
const renderer = new PointRenderer($('points'), packRgba(BACKGROUND));
const overlay = $('overlay');
const view = new View();

const state = {
  jobs: [],
  job: null,
  generation: 0,
  points: null,
  indexById: new Map(),
  counts: [],
  unlabelled: 0,
  order: new Uint32Array(0),
  colors: new Uint32Array(0),
  faded: new Uint32Array(0),
  target: null,
  from: null,
  display: null,
  displayVersion: 0,
  dims: 2,
  tweenStart: 0,
  mapIteration: null,
  fitScale: 1,
  picker: null,
  hover: -1,
  selected: -1,
  neighbors: { embedding: [], map: [] },
  focus: null,
  pointer: null,
  drag: null,
  frame: 0,
};

function message(text) {
  $('message').hidden = !text;
  $('message').textContent = text ?? '';
}

function formatCount(n) {
  return n.toLocaleString('en-US');
}

// ---- jobs ---------------------------------------------------------------------------------------------------

async function loadJobs() {
  state.jobs = await api.jobs();
  const select = $('job');
  const chosen = select.value;
  select.replaceChildren(...state.jobs.map((job) => {
    const option = document.createElement('option');
    option.value = job.id;
    option.textContent = `${job.id} (${job.collection || 'no collection'}, ${job.state})`;
    return option;
  }));
  if (chosen) select.value = chosen;
  return state.jobs;
}

function initialJob(jobs) {
  const wanted = new URLSearchParams(location.search).get('job');
  if (wanted && jobs.some((j) => j.id === wanted)) return wanted;
  if (jobs.some((j) => j.id === 'demo')) return 'demo';
  return (jobs.find((j) => j.state === 'running') ?? jobs.find((j) => j.state === 'completed') ?? jobs[0])?.id ?? null;
}

async function chooseJob(id) {
  const generation = ++state.generation;
  state.job = state.jobs.find((j) => j.id === id) ?? null;
  $('job').value = id;
  const url = new URL(location.href);
  url.searchParams.set('job', id);
  history.replaceState(null, '', url);
  Object.assign(state, { points: null, target: null, from: null, display: null, picker: null, mapIteration: null, focus: null });
  view.moved = false;
  clearSelection();
  hideTooltip();
  renderLegend();
  message('Loading the map…');
  requestRender();
  try {
    await loadPoints(id, generation);
    await poll(id, generation);
  } catch (error) {
    if (generation === state.generation) message(`Could not load job ${id}: ${error.message}`);
  }
}

async function loadPoints(id, generation) {
  const points = await api.points(id);
  if (generation !== state.generation) return;
  state.points = points;
  state.indexById = new Map(points.ids.map((pointId, i) => [pointId, i]));
  state.counts = new Array(points.labelNames.length).fill(0);
  let unlabelled = 0;
  for (const label of points.labels) {
    if (label >= 0) state.counts[label]++;
    else unlabelled++;
  }
  state.unlabelled = unlabelled;
  state.colors = new Uint32Array(points.count);
  state.faded = new Uint32Array(points.count);
  const packed = points.labelNames.map((_, i) => packRgba(labelRgb(i)));
  const faded = points.labelNames.map((_, i) => packRgba(mix(labelRgb(i), BACKGROUND, 0.8)));
  const noneColor = packRgba(labelRgb(-1));
  const noneFaded = packRgba(mix(labelRgb(-1), BACKGROUND, 0.8));
  points.labels.forEach((label, i) => {
    state.colors[i] = label >= 0 ? packed[label] : noneColor;
    state.faded[i] = label >= 0 ? faded[label] : noneFaded;
  });
  // A fixed shuffle, so that no label is always drawn over the others where they overlap.
  state.order = new Uint32Array(points.count);
  for (let i = 0; i < points.count; i++) state.order[i] = i;
  let seed = 1;
  for (let i = points.count - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const j = seed % (i + 1);
    [state.order[i], state.order[j]] = [state.order[j], state.order[i]];
  }
  drawing.colors = inDrawingOrder(state.colors);
  drawing.faded = inDrawingOrder(state.faded);
  drawing.labels = inDrawingOrder(Int32Array.from(points.labels));
  drawing.focus = undefined;
  drawing.version = -1;
  renderLegend();
}

// ---- drawing order -----------------------------------------------------------------------------------------------

// Copies of what a frame reads, in drawing order (the fixed shuffle), so that a frame reads every array front to
// back: following the shuffle through arrays in point order cost a cache miss a point, 200 ms a frame at a million
// points. Positions are copied again only when the map moves (a new map or a step of its animation).
const drawing = { version: -1, positions: new Float32Array(0), colors: null, faded: null, labels: null, focus: undefined, focused: null };

function inDrawingOrder(values) {
  const ordered = new values.constructor(state.order.length);
  for (let n = 0; n < ordered.length; n++) ordered[n] = values[state.order[n]];
  return ordered;
}

function drawingPositions(count) {
  if (drawing.version === state.displayVersion && drawing.positions.length === count * state.dims) return drawing.positions;
  const { display, dims, order } = state;
  const positions = drawing.positions.length === count * dims ? drawing.positions : new Float32Array(count * dims);
  for (let n = 0; n < count; n++) {
    const i = order[n];
    for (let d = 0; d < dims; d++) positions[n * dims + d] = i < count ? display[i * dims + d] : NaN;
  }
  drawing.positions = positions;
  drawing.version = state.displayVersion;
  return positions;
}

// A selection fades every dot (its neighbours are drawn on the overlay); a label picked in the legend keeps its own.
function drawingColors() {
  if (state.selected < 0 && state.focus === null) return drawing.colors;
  if (state.focus === null) return drawing.faded;
  if (drawing.focus !== state.focus) {
    drawing.focused = drawing.faded.slice();
    for (let n = 0; n < drawing.labels.length; n++) if (drawing.labels[n] === state.focus) drawing.focused[n] = drawing.colors[n];
    drawing.focus = state.focus;
  }
  return drawing.focused;
}

// ---- the map and its updates -----------------------------------------------------------------------------------

async function poll(id, generation) {
  while (generation === state.generation) {
    const answer = await api.map(id, state.mapIteration);
    if (generation !== state.generation) return;
    if (answer.map) {
      const count = answer.map.coordinates.length / answer.map.dimensions;
      if (!state.points || state.points.count !== count) await loadPoints(id, generation);
      if (generation !== state.generation) return;
      applyMap(answer.map);
    }
    showStatus(answer);
    const finished = answer.state !== 'running';
    if (finished) {
      if (state.target === null) message(answer.state === 'completed' ? 'The job has no map.' : `Job ${id} is ${answer.state} and has no map.`);
      return;
    }
    if (state.target === null) message(`Job ${id} is running; its map appears when the iterations start.`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function applyMap(map) {
  message(null);
  state.mapIteration = map.iteration;
  const animate = state.display !== null && state.dims === map.dimensions && state.display.length === map.coordinates.length;
  state.from = animate ? state.display.slice() : null;
  state.target = map.coordinates;
  state.dims = map.dimensions;
  state.display = animate ? state.display : map.coordinates.slice();
  state.displayVersion++;
  state.tweenStart = performance.now();
  const bounds = boundsOf(state.target, state.dims, state.target.length / state.dims);
  state.picker = new PointPicker(state.target, state.dims, state.target.length / state.dims, bounds);
  if (!view.moved) fitTo(bounds);
  requestRender();
}

function fitTo(bounds) {
  view.fit(bounds);
  state.fitScale = view.scale;
}

function showStatus(answer) {
  const job = state.job;
  const status = $('status');
  const parts = [job?.collection, answer.state, `iteration ${answer.iteration}/${answer.total}`];
  if (state.points) parts.push(`${formatCount(state.points.count)} points`);
  if (job?.klDivergence != null && answer.state === 'completed') parts.push(`KL ${job.klDivergence.toFixed(4)}`);
  status.textContent = parts.filter(Boolean).join(' · ');
  status.dataset.state = answer.state;
  status.dataset.iteration = String(state.mapIteration ?? '');
}

// ---- drawing --------------------------------------------------------------------------------------------------

function requestRender() {
  if (!state.frame) state.frame = requestAnimationFrame(render);
}

function pointSize() {
  const count = state.points?.count ?? 0;
  const base = count > 50000 ? 2 : count > 5000 ? 3 : 5;
  const zoom = Math.max(1, view.scale / state.fitScale);
  return Math.min(14, base * Math.sqrt(zoom));
}

function render(now) {
  state.frame = 0;
  if (state.from && state.target) {
    const t = Math.min(1, (now - state.tweenStart) / TWEEN_MS);
    const eased = t * (2 - t);
    const { from, target, display } = state;
    for (let k = 0; k < display.length; k++) display[k] = from[k] + (target[k] - from[k]) * eased;
    state.displayVersion++;
    if (!view.moved) fitTo(boundsOf(display, state.dims, display.length / state.dims));
    if (t < 1) requestRender();
    else state.from = null;
  }
  const count = state.display && state.points ? Math.min(state.points.count, state.display.length / state.dims) : 0;
  if (count === 0) renderer.draw(new Float32Array(0), state.dims, 0, null, view, pointSize());
  else renderer.draw(drawingPositions(count), state.dims, count, drawingColors(), view, pointSize());
  drawOverlay();
}

function screenOf(index) {
  const positions = state.display;
  return [view.toScreenX(positions[index * state.dims]), view.toScreenY(state.dims > 1 ? positions[index * state.dims + 1] : 0)];
}

function drawOverlay() {
  const ratio = renderer.ratio;
  const context = overlay.getContext('2d');
  context.setTransform(1, 0, 0, 1, 0, 0);
  context.clearRect(0, 0, overlay.width, overlay.height);
  if (!state.display || !state.points) return;
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  const size = pointSize();
  const marker = (index, radius, dashed, width) => {
    const [x, y] = screenOf(index);
    context.beginPath();
    context.arc(x, y, radius, 0, 2 * Math.PI);
    context.fillStyle = cssColor(labelRgb(state.points.labels[index]));
    context.fill();
    context.setLineDash(dashed ? [3, 2] : []);
    context.lineWidth = width;
    context.strokeStyle = '#111';
    context.stroke();
  };
  const radius = Math.max(4, size);
  for (const neighbor of state.neighbors.map) marker(neighbor.index, radius, true, 1.5);
  for (const neighbor of state.neighbors.embedding) marker(neighbor.index, radius, false, 1.5);
  if (state.selected >= 0) marker(state.selected, radius + 3, false, 2.5);
  if (state.hover >= 0 && state.hover !== state.selected) {
    const [x, y] = screenOf(state.hover);
    context.setLineDash([]);
    context.beginPath();
    context.arc(x, y, radius + 2, 0, 2 * Math.PI);
    context.lineWidth = 1.5;
    context.strokeStyle = '#555';
    context.stroke();
  }
}

function resize() {
  const { width, height } = plot.getBoundingClientRect();
  const ratio = window.devicePixelRatio || 1;
  renderer.resize(width, height, ratio);
  overlay.width = Math.max(1, Math.round(width * ratio));
  overlay.height = Math.max(1, Math.round(height * ratio));
  view.setSize(width, height);
  if (!view.moved && state.target) fitTo(boundsOf(state.target, state.dims, state.target.length / state.dims));
  requestRender();
}

// ---- legend ---------------------------------------------------------------------------------------------------

function renderLegend() {
  const legend = $('legend');
  legend.replaceChildren();
  if (!state.points) return;
  const entries = state.points.labelNames.map((name, i) => ({ name, index: i, count: state.counts[i] }));
  if (state.unlabelled > 0) entries.push({ name: '(no label)', index: -1, count: state.unlabelled });
  for (const entry of entries) {
    const item = document.createElement('li');
    item.dataset.label = String(entry.index);
    item.title = 'Click to pick out this label; click again for all';
    item.classList.toggle('focused', state.focus === entry.index);
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = cssColor(labelRgb(entry.index));
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = entry.name;
    const count = document.createElement('span');
    count.className = 'count';
    count.textContent = formatCount(entry.count);
    item.append(swatch, name, count);
    item.addEventListener('click', () => {
      state.focus = state.focus === entry.index ? null : entry.index;
      renderLegend();
      requestRender();
    });
    legend.append(item);
  }
}

// ---- hover, click and neighbours ---------------------------------------------------------------------------------

function pick(sx, sy) {
  if (!state.picker || !state.points) return -1;
  const radius = Math.max(PICK_PIXELS, pointSize()) / view.scale;
  const index = state.picker.nearest(view.toDataX(sx), view.toDataY(sy), radius);
  return index < state.points.count ? index : -1;
}

function labelName(index) {
  const label = state.points.labels[index];
  return label >= 0 ? state.points.labelNames[label] : '(no label)';
}

function hideTooltip() {
  $('tooltip').hidden = true;
  state.hover = -1;
}

function thumbnail(image, id) {
  image.hidden = false;
  image.onerror = () => {
    image.hidden = true;
  };
  const source = api.thumbnailUrl(state.points.collection, id);
  if (image.getAttribute('src') !== source) image.src = source;
}

function showTooltip(index, sx, sy) {
  const tooltip = $('tooltip');
  const id = state.points.ids[index];
  if (state.hover !== index) {
    thumbnail($('tooltip-image'), id);
    $('tooltip-text').textContent = `${id} · ${labelName(index)}`;
    tooltip.dataset.id = id;
  }
  state.hover = index;
  tooltip.hidden = false;
  const { width, height } = plot.getBoundingClientRect();
  const box = tooltip.getBoundingClientRect();
  tooltip.style.left = `${Math.min(sx + 14, width - box.width - 4)}px`;
  tooltip.style.top = `${Math.min(sy + 14, height - box.height - 4)}px`;
}

function clearSelection() {
  state.selected = -1;
  state.neighbors = { embedding: [], map: [] };
  $('selected').hidden = true;
  $('selection-hint').hidden = false;
  for (const list of ['neighbors-embedding', 'neighbors-map']) $(list).replaceChildren();
  document.querySelectorAll('#selection h3').forEach((h) => (h.hidden = true));
  $('neighbors-note').hidden = true;
  requestRender();
}

async function select(index) {
  clearSelection();
  state.selected = index;
  const { collection, ids } = state.points;
  const id = ids[index];
  const selected = $('selected');
  const image = document.createElement('img');
  image.alt = '';
  thumbnail(image, id);
  selected.replaceChildren(image, `${id} · ${labelName(index)}`);
  selected.dataset.id = id;
  selected.hidden = false;
  $('selection-hint').hidden = true;
  requestRender();
  const generation = state.generation;
  let answer;
  try {
    answer = await api.neighbors(collection, id, state.job?.id ?? '', NEIGHBORS);
  } catch (error) {
    if (state.selected === index) showNote(`No neighbours: ${error.message}`);
    return;
  }
  if (state.selected !== index || generation !== state.generation) return;
  const known = (list) => (list ?? []).map((n) => ({ ...n, index: state.indexById.get(n.id) ?? -1 })).filter((n) => n.index >= 0);
  state.neighbors = { embedding: known(answer.embedding), map: known(answer.map) };
  fillList('neighbors-embedding', state.neighbors.embedding);
  fillList('neighbors-map', state.neighbors.map);
  if (answer.mapError) showNote(`On the map: ${answer.mapError}`);
  requestRender();
}

function showNote(text) {
  $('neighbors-note').textContent = text;
  $('neighbors-note').hidden = false;
}

function fillList(id, neighbors) {
  const list = $(id);
  list.previousElementSibling.hidden = false;
  list.replaceChildren(...neighbors.map((neighbor) => {
    const item = document.createElement('li');
    item.dataset.id = neighbor.id;
    const image = document.createElement('img');
    image.alt = '';
    thumbnail(image, neighbor.id);
    const distance = document.createElement('span');
    distance.className = 'distance';
    distance.textContent = ` ${neighbor.distance.toPrecision(4)}`;
    item.append(image, `${neighbor.id} · ${labelName(neighbor.index)}`, distance);
    item.addEventListener('click', () => select(neighbor.index));
    return item;
  }));
}

// ---- pointer and keyboard ----------------------------------------------------------------------------------------

function local(event) {
  const rect = plot.getBoundingClientRect();
  return [event.clientX - rect.left, event.clientY - rect.top];
}

plot.addEventListener('pointerdown', (event) => {
  const [sx, sy] = local(event);
  state.drag = { sx, sy, lastX: sx, lastY: sy, moved: false };
  plot.setPointerCapture(event.pointerId);
});

plot.addEventListener('pointermove', (event) => {
  const [sx, sy] = local(event);
  if (state.drag && event.buttons) {
    const drag = state.drag;
    if (Math.hypot(sx - drag.sx, sy - drag.sy) > 3) drag.moved = true;
    if (drag.moved) {
      view.panBy(sx - drag.lastX, sy - drag.lastY);
      drag.lastX = sx;
      drag.lastY = sy;
      hideTooltip();
      requestRender();
      return;
    }
  }
  const index = pick(sx, sy);
  if (index >= 0) showTooltip(index, sx, sy);
  else if (state.hover >= 0) hideTooltip();
  requestRender();
});

plot.addEventListener('pointerleave', () => {
  hideTooltip();
  requestRender();
});

plot.addEventListener('pointerup', (event) => {
  const drag = state.drag;
  state.drag = null;
  if (!drag || drag.moved) return;
  const [sx, sy] = local(event);
  const index = pick(sx, sy);
  if (index >= 0) select(index);
  else clearSelection();
});

plot.addEventListener('wheel', (event) => {
  event.preventDefault();
  const [sx, sy] = local(event);
  view.zoomAt(sx, sy, Math.exp(-event.deltaY * 0.0015));
  hideTooltip();
  requestRender();
}, { passive: false });

function refit() {
  view.moved = false;
  if (state.target) fitTo(boundsOf(state.target, state.dims, state.target.length / state.dims));
  requestRender();
}

plot.addEventListener('dblclick', refit);
$('fit').addEventListener('click', refit);

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') {
    state.focus = null;
    renderLegend();
    clearSelection();
  }
});

$('job').addEventListener('change', (event) => chooseJob(event.target.value));

new ResizeObserver(resize).observe(plot);

// ---- start --------------------------------------------------------------------------------------------------

async function start() {
  resize();
  try {
    const jobs = await loadJobs();
    const id = initialJob(jobs);
    if (id === null) {
      message('No t-SNE job yet: start one with `embeddings tsne COLLECTION`, then reload.');
    } else {
      chooseJob(id);
    }
  } catch (error) {
    message(`Could not list the jobs: ${error.message}`);
  }
  setInterval(async () => {
    try {
      await loadJobs();
      state.job = state.jobs.find((j) => j.id === state.job?.id) ?? state.job;
    } catch {
      // The next refresh tries again; the map itself keeps its own polling.
    }
  }, JOBS_REFRESH_MS);
}

start();
