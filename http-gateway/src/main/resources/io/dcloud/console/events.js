// One event stream (GET /api/v1/events) for the whole console; pages listen while they are shown.
// The browser reconnects by itself and resumes with Last-Event-ID; the banner says so meanwhile.
import { ROOT } from './api.js';

const listeners = new Set();
let source = null;

function banner(text, kind) {
  const element = document.getElementById('stream');
  element.textContent = text;
  element.className = kind || '';
}

function deliver(type, event) {
  let data = null;
  try {
    data = JSON.parse(event.data);
  } catch {
    return;
  }
  for (const listener of listeners) listener(type, data);
}

export function connect() {
  if (source) return;
  source = new EventSource(ROOT + '/events', { withCredentials: true });
  source.addEventListener('open', () => banner('Live: following changes', 'live'));
  source.addEventListener('error', () => {
    banner(source.readyState === EventSource.CLOSED
      ? 'Lost the connection to the event stream: reload the page'
      : 'Lost the connection to the event stream: reconnecting…', 'lost');
  });
  for (const type of ['environment', 'node', 'reset']) {
    source.addEventListener(type, event => deliver(type, event));
  }
}

export function disconnect() {
  if (source) source.close();
  source = null;
  banner('');
}

/** listener(type, data) for 'environment', 'node' and 'reset' (then list again); answers the unsubscribe. */
export function listen(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
