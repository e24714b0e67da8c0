// A service's logs: every replica's lines, each after its replica's short id (as `dcloud services
// logs` prints them), read at once or followed, from the environments' own /logs.
import { stream } from './api.js';
import { h, errorBox } from './dom.js';

const LOG_LIMIT = 200_000;
const TAIL = 200;

/** {@code replicas()}: the service's replicas when the button is pressed (the page refreshes them). */
export function serviceLogsSection(replicas, stops) {
  const output = h('pre', { class: 'logs service-logs', tabindex: 0, role: 'log', 'aria-label': 'Logs of every replica' });
  const follow = h('input', { type: 'checkbox', name: 'follow', checked: true });
  const timestamps = h('input', { type: 'checkbox', name: 'timestamps' });
  const button = h('button', { type: 'button', name: 'service-logs' }, 'Show logs');
  const message = h('div');
  let controller = null;

  function append(text) {
    output.textContent = (output.textContent + text).slice(-LOG_LIMIT);
    output.scrollTop = output.scrollHeight;
  }

  /** One replica's stream, written a whole line at a time after its prefix. */
  async function readReplica(id, signal) {
    const prefix = id.slice(0, 8) + ' | ';
    let partial = '';
    try {
      const reader = await stream(`/environments/${encodeURIComponent(id)}/logs?tail=${TAIL}&follow=${follow.checked}`
        + `&timestamps=${timestamps.checked}`, signal);
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const lines = (partial + value).split('\n');
        partial = lines.pop();
        if (lines.length) append(lines.map(line => prefix + line + '\n').join(''));
      }
      if (partial) append(prefix + partial + '\n');
    } catch (e) {
      if (e.name !== 'AbortError') message.append(errorBox(`replica ${id}: ${e.message}`));
    }
  }

  button.addEventListener('click', () => {
    if (controller) controller.abort();
    controller = new AbortController();
    output.textContent = '';
    message.replaceChildren();
    const ids = replicas().map(r => r.id);
    if (!ids.length) message.replaceChildren(errorBox('the service has no replicas'));
    ids.forEach(id => readReplica(id, controller.signal));
  });
  stops.push(() => controller && controller.abort());
  return h('section', { 'aria-labelledby': 'service-logs-title' }, h('h2', { id: 'service-logs-title' }, 'Logs'),
    h('div', { class: 'toolbar' }, h('label', {}, follow, ' Follow'), h('label', {}, timestamps, ' Timestamps'), button),
    message, output);
}
