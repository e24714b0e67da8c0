// Live CPU, memory and network charts of a RUNNING environment. GET /environments/{id}/stats
// answers one reading (it does not stream), so the page asks again every few seconds while the
// environment runs. Each chart is a small SVG line whose text alternative is its latest value,
// shown beside it too.
import { api } from './api.js';
import { h } from './dom.js';

/** Often enough to see a change, rarely enough not to load the node that answers. */
const EVERY_MS = 2000;
/** The readings each chart keeps: two minutes. */
const POINTS = 60;
const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 300;
const HEIGHT = 80;
const MIB = 1024 * 1024;

function svg(tag, attributes) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

function bytes(n) {
  return n >= 1024 * MIB ? `${(n / 1024 / MIB).toFixed(2)} GiB` : n >= MIB ? `${(n / MIB).toFixed(1)} MiB`
    : `${(n / 1024).toFixed(1)} KiB`;
}

/** A line chart of the last POINTS values, scaled to the larger of ceiling and its highest value. */
export function chart(key, title) {
  const values = [];
  const line = svg('polyline', { fill: 'none', stroke: '#1d4ed8', 'stroke-width': 2, points: '' });
  const picture = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, preserveAspectRatio: 'none', role: 'img',
    'aria-label': `${title}: no reading yet` });
  picture.append(svg('rect', { width: WIDTH, height: HEIGHT, fill: '#f4f6fa' }), line);
  const latest = h('figcaption', { class: 'chart-latest' }, `${title}: no reading yet`);
  const element = h('figure', { class: 'chart', 'data-chart': key, 'data-points': 0 }, picture, latest);
  return {
    element,
    add(value, ceiling, text) {
      values.push(value);
      if (values.length > POINTS) values.shift();
      const top = Math.max(ceiling, ...values) || 1;
      const step = WIDTH / (POINTS - 1);
      line.setAttribute('points', values.map((v, i) =>
        `${(i * step).toFixed(1)},${(HEIGHT - 2 - (v / top) * (HEIGHT - 4)).toFixed(1)}`).join(' '));
      element.dataset.points = values.length;
      latest.textContent = `${title}: ${text}`;
      picture.setAttribute('aria-label', latest.textContent);
    },
  };
}

export function statsSection(id, statusNow, stops) {
  const cpu = chart('cpu', 'CPU');
  const memory = chart('memory', 'Memory');
  const network = chart('network', 'Network');
  const state = h('p', { class: 'chart-state', role: 'status' });
  let last = null;
  let timer = null;
  let stopped = false;

  function record(stats, at) {
    cpu.add(stats.cpuPercent, 100, `${stats.cpuPercent.toFixed(1)} % of one core`);
    const { usedBytes, limitBytes } = stats.memory;
    memory.add(usedBytes, limitBytes, `${bytes(usedBytes)}` + (limitBytes ? ` of ${bytes(limitBytes)}` : ''));
    const { rxBytes, txBytes } = stats.network;
    if (last) {
      const seconds = Math.max((at - last.at) / 1000, 0.001);
      // Counters restart with the container: a drop is a new start, not negative traffic.
      const rx = Math.max(rxBytes - last.rxBytes, 0) / seconds;
      const tx = Math.max(txBytes - last.txBytes, 0) / seconds;
      network.add(rx + tx, 1024, `${bytes(rx)}/s in · ${bytes(tx)}/s out`);
    }
    last = { at, rxBytes, txBytes };
  }

  async function tick() {
    if (statusNow() === 'RUNNING') {
      try {
        record(await api('GET', `/environments/${encodeURIComponent(id)}/stats`), performance.now());
        state.textContent = 'Live: a reading every few seconds';
      } catch (e) {
        state.textContent = 'No reading: ' + e.message;
      }
    } else {
      last = null;
      state.textContent = 'Charts move while the environment is RUNNING.';
    }
    if (!stopped) timer = setTimeout(tick, EVERY_MS);
  }

  tick();
  stops.push(() => {
    stopped = true;
    clearTimeout(timer);
  });
  return h('section', { 'aria-labelledby': 'stats-title' }, h('h2', { id: 'stats-title' }, 'Usage'), state,
    h('div', { class: 'charts' }, cpu.element, memory.element, network.element));
}
