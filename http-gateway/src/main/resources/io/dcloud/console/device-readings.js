// A device's readings: live from GET /devices/{id}/readings/stream (SSE, event "reading"; the
// session cookie authenticates it as it does the console's event stream) as a chart per numeric field
// and a table of the latest, and the stored ones between two times (GET …/readings?since=&until=&limit=).
import { api, ROOT } from './api.js';
import { h, field } from './dom.js';
import { chart } from './stats-charts.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';

/** The live table keeps this many readings, the newest first. */
const LIVE_ROWS = 20;
const NUMERIC = ['number', 'integer'];

function valuesText(values) {
  return Object.entries(values || {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
}

function readingRow(reading) {
  return h('tr', { 'data-at': reading.at },
    h('th', { scope: 'row' }, new Date(reading.at).toLocaleString()),
    h('td', { class: 'reading-values' }, valuesText(reading.values)),
    h('td', {}, reading.receivedAt ? new Date(reading.receivedAt).toLocaleString() : ''));
}

function readingsTable(css, caption, body) {
  return h('table', { class: css },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, ['At', 'Values', 'Received'].map(c => h('th', { scope: 'col' }, c)))), body);
}

/** The live part: charts of the numeric fields, the latest readings; the stream is closed when the page is left. */
function liveReadings(id, type, stops) {
  const numeric = Object.entries(type.fields || {}).filter(([, spec]) => NUMERIC.includes(String(spec.type).toLowerCase()));
  const charts = new Map(numeric.map(([name, spec]) =>
    [name, { spec, chart: chart(name, `${name}${spec.unit ? ' (' + spec.unit + ')' : ''}`) }]));
  const state = h('p', { class: 'chart-state', role: 'status' }, 'Connecting to the live readings…');
  const body = h('tbody');
  const element = h('div', { class: 'live-readings', 'data-count': 0 }, state,
    charts.size ? h('div', { class: 'charts' }, [...charts.values()].map(c => c.chart.element)) : null,
    readingsTable('readings-live', 'The latest readings, as they arrive', body));
  const source = new EventSource(`${ROOT}/devices/${encodeURIComponent(id)}/readings/stream`, { withCredentials: true });
  source.addEventListener('open', () => {
    state.textContent = 'Live: readings appear as the device sends them';
  });
  source.addEventListener('error', () => {
    state.textContent = source.readyState === EventSource.CLOSED
      ? 'Lost the live readings: reload the page' : 'Lost the live readings: reconnecting…';
  });
  source.addEventListener('reading', event => {
    let reading;
    try {
      reading = JSON.parse(event.data);
    } catch {
      return;
    }
    for (const [name, { spec, chart: c }] of charts) {
      const value = reading.values?.[name];
      if (typeof value === 'number') c.add(value, spec.max ?? 0, `${value}${spec.unit ? ' ' + spec.unit : ''}`);
    }
    body.prepend(readingRow(reading));
    while (body.children.length > LIVE_ROWS) body.lastElementChild.remove();
    element.dataset.count = Number(element.dataset.count) + 1;
  });
  stops.push(() => source.close());
  return element;
}

/** A datetime-local's value as an instant, or undefined when empty (the API's defaults). */
function instant(input) {
  return input.value ? new Date(input.value).toISOString() : undefined;
}

function queryForm(id) {
  const since = h('input', { name: 'since', type: 'datetime-local', step: 1, 'data-field': 'since' });
  const until = h('input', { name: 'until', type: 'datetime-local', step: 1, 'data-field': 'until' });
  const limit = h('input', { name: 'limit', type: 'number', min: 1, step: 1, 'data-field': 'limit' });
  const summary = h('div', { 'aria-live': 'assertive' });
  const found = h('p', { class: 'readings-found', role: 'status' });
  const body = h('tbody');
  const form = h('form', { class: 'readings-query', novalidate: true, 'aria-labelledby': 'readings-query-title' },
    h('h3', { id: 'readings-query-title' }, 'Stored readings'),
    h('div', { class: 'filters' }, field('Since', since, 'empty: an hour before until'), field('Until', until, 'empty: now'),
      field('At most', limit, 'empty: the default')),
    summary, h('button', { type: 'submit', name: 'query-readings' }, 'Show the readings'), found,
    readingsTable('readings-stored', 'Stored readings between the two times', body));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFieldErrors(form, summary);
    const query = new URLSearchParams();
    if (instant(since)) query.set('since', instant(since));
    if (instant(until)) query.set('until', instant(until));
    if (limit.value !== '') query.set('limit', limit.value);
    try {
      const answer = await api('GET', `/devices/${encodeURIComponent(id)}/readings?${query}`);
      body.replaceChildren(...answer.items.map(readingRow));
      found.dataset.count = answer.items.length;
      found.textContent = `${answer.items.length} readings` + (answer.truncated ? ', and more: narrow the times' : '');
    } catch (e) {
      showFieldErrors(form, summary, e);
    }
  });
  return form;
}

export function readingsSection(id, type, stops) {
  return h('section', { class: 'readings', 'aria-labelledby': 'readings-title' },
    h('h2', { id: 'readings-title' }, 'Readings'), liveReadings(id, type, stops), queryForm(id));
}
