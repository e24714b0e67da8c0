// A service's calls as this gateway measured them (GET /services/{name}/stats, asked every 2 s):
// rate and p50/p90/p99 latency charts, and every number as text too (the charts' alternative) in
// a table per replica.
import { api } from './api.js';
import { h } from './dom.js';
import { chart } from './stats-charts.js';

const EVERY_MS = 2000;

function ms(value) {
  return value === undefined || value === null ? '—' : `${Number(value).toFixed(1)} ms`;
}

export function serviceStatsSection(name, stops) {
  const rate = chart('rate', 'Requests per second (last 10 s)');
  const p50 = chart('p50', 'Latency p50');
  const p90 = chart('p90', 'Latency p90');
  const p99 = chart('p99', 'Latency p99');
  const state = h('p', { class: 'chart-state', role: 'status' });
  const totals = h('p', { class: 'stats-total' });
  const body = h('tbody');
  let timer = null;
  let stopped = false;

  function record(stats) {
    const latency = stats.latencyMs || {};
    rate.add(stats.rate10s, 1, `${Number(stats.rate10s).toFixed(2)} per second`);
    // One ceiling for the three latencies, so that their lines compare.
    const top = Math.max(1, latency.p99 || 0);
    p50.add(latency.p50 || 0, top, ms(latency.p50));
    p90.add(latency.p90 || 0, top, ms(latency.p90));
    p99.add(latency.p99 || 0, top, ms(latency.p99));
    totals.dataset.count = stats.count;
    totals.textContent = `${stats.count} requests; latency average ${ms(latency.avg)}, standard deviation `
      + `${ms(latency.stddev)}, p95 ${ms(latency.p95)}`;
    body.replaceChildren(...(stats.replicas || []).map(r => h('tr', { 'data-replica': r.id },
      h('th', { scope: 'row' }, r.id), h('td', {}, String(r.count)), h('td', {}, ms(r.latencyMs?.p99)),
      h('td', {}, Number(r.rate10s).toFixed(2)), h('td', {}, ms(r.latencyMs?.p50)), h('td', {}, r.node || ''))));
  }

  async function tick() {
    try {
      record(await api('GET', `/services/${encodeURIComponent(name)}/stats`));
      state.textContent = 'Live: measured by this gateway, a reading every 2 seconds';
    } catch (e) {
      state.textContent = 'No reading: ' + e.message;
    }
    if (!stopped) timer = setTimeout(tick, EVERY_MS);
  }

  tick();
  stops.push(() => {
    stopped = true;
    clearTimeout(timer);
  });
  return h('section', { class: 'service-stats', 'aria-labelledby': 'service-stats-title' },
    h('h2', { id: 'service-stats-title' }, 'Calls'), state, totals,
    h('div', { class: 'charts' }, rate.element, p50.element, p90.element, p99.element),
    h('table', { class: 'replica-stats' },
      h('caption', { class: 'visually-hidden' }, 'Calls per replica'),
      h('thead', {}, h('tr', {}, ['Replica', 'Requests', 'p99', 'Per second', 'p50', 'Node']
        .map(c => h('th', { scope: 'col' }, c)))),
      body));
}
