// The page's side of the worker: start it from a Blob URL of its bundled
// code (a file:// page may not load a worker script by URL), and turn its
// messages into promises.

// The worker's bundle (build.sh writes it first), as text.
import workerSource from '../../build/worker.txt';

export function startWorker() {
  const url = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
  const worker = new Worker(url);
  let next = 1;
  const waiting = new Map();
  let readyResolve;
  const ready = new Promise((resolve) => { readyResolve = resolve; });
  worker.onmessage = (event) => {
    const data = event.data;
    if (data.ready) { readyResolve(); return; }
    const pending = waiting.get(data.id);
    if (!pending) return;
    waiting.delete(data.id);
    if (data.ok) pending.resolve(data.result); else pending.reject(new Error(data.error));
  };
  worker.onerror = (event) => {
    for (const pending of waiting.values()) pending.reject(new Error(event.message || 'the worker failed'));
    waiting.clear();
  };
  const call = (op, args) => new Promise((resolve, reject) => {
    const id = next++;
    waiting.set(id, { resolve, reject });
    worker.postMessage({ id, op, args });
  });
  return { ready, call };
}
