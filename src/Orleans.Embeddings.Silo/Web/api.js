// The host's JSON endpoints for this page (src/Orleans.Embeddings.Silo/MapPage/MapApi.cs).
const API = '/api/map';

async function json(response) {
  if (response.ok) return response.json();
  let message = `${response.status} ${response.statusText}`;
  try {
    message = (await response.json()).error ?? message;
  } catch {
    // Not the API's JSON error body; the status says enough.
  }
  throw new Error(message);
}

export async function jobs() {
  return (await json(await fetch(`${API}/jobs`))).jobs;
}

export async function points(job) {
  return json(await fetch(`${API}/jobs/${encodeURIComponent(job)}/points`));
}

/**
 * The job's map if there is one newer than iteration `after`: { state, iteration, total, map } where map is
 * null or { iteration, dimensions, coordinates: Float32Array }.
 */
export async function map(job, after) {
  const query = after === null ? '' : `?after=${after}`;
  const response = await fetch(`${API}/jobs/${encodeURIComponent(job)}/map${query}`);
  if (!response.ok && response.status !== 204) await json(response);
  const header = (name) => response.headers.get(name);
  const state = {
    state: header('x-job-state') ?? 'unknown',
    iteration: Number(header('x-job-iteration') ?? 0),
    total: Number(header('x-job-total') ?? 0),
    map: null,
  };
  if (response.status === 200) {
    state.map = {
      iteration: Number(header('x-map-iteration')),
      dimensions: Number(header('x-map-dimensions')),
      coordinates: new Float32Array(await response.arrayBuffer()),
    };
  }
  return state;
}

export async function neighbors(collection, id, job, k = 10) {
  const query = new URLSearchParams({ collection, id, job, k: String(k) });
  return json(await fetch(`${API}/neighbors?${query}`));
}

export function thumbnailUrl(collection, id) {
  return `${API}/thumbnail?${new URLSearchParams({ collection, id })}`;
}
