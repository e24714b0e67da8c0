// The workers, for configurers and admins: state, labels, GPUs, and per resource what each has,
// what the scheduler promised of it and what is really used — kept live by the event stream's node
// events; cordon, uncordon and drain after a confirmation; a link to its volumes (node-volumes.js).
import { api } from './api.js';
import { h, show, errorBox, confirmDialog } from './dom.js';
import { listen } from './events.js';

const GIB = 1024 ** 3;

/** What each action does, for its confirmation: the operator should know before, not after. */
const ACTIONS = {
  cordon: ['Cordon', 'takes no new environments; the ones it runs keep running'],
  uncordon: ['Uncordon', 'takes new environments again'],
  drain: ['Drain', 'takes no new environments and its environments are moved elsewhere'],
};

function gib(bytes) {
  return `${(bytes / GIB).toFixed(1)} GiB`;
}

function cores(n) {
  return `${Number(n.toFixed(2))} CPU`;
}

/**
 * One resource as a bar of reserved (and used, where measured) against capacity; the same values
 * as text beside it, so no one needs to read the bar.
 */
function resource(label, capacity, reserved, used, format) {
  const text = `${format(reserved)} reserved` + (used === null ? '' : ` · ${format(used)} used`)
    + ` of ${format(capacity)}`;
  const max = capacity > 0 ? capacity : 1;
  return h('div', { class: 'resource' },
    h('span', { class: 'resource-name' }, label),
    h('meter', { min: 0, max, value: Math.min(reserved, max), 'aria-label': `${label} reserved` },
      text),
    used === null ? null
      : h('meter', { class: 'used', min: 0, max, value: Math.min(used, max), 'aria-label': `${label} used` }, text),
    h('span', { class: 'resource-text' }, text));
}

function stateBadge(state) {
  return h('span', { class: 'status node-' + String(state).toLowerCase(), 'data-state': state }, state);
}

export async function nodesPage() {
  const byId = new Map();
  const list = h('div', { class: 'nodes' });
  const empty = h('p', { class: 'empty' });
  const message = h('div', { 'aria-live': 'polite' });

  async function act(node, action) {
    const [verb, meaning] = ACTIONS[action];
    if (!await confirmDialog(`${verb} node ${node.id}? It ${meaning}.`, verb)) return;
    try {
      const answer = await api('POST', `/nodes/${encodeURIComponent(node.id)}/${action}`);
      byId.set(answer.id, answer);
      message.replaceChildren();
      render();
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  function card(node) {
    const capacity = node.capacity || {};
    const reserved = node.reserved || {};
    const usage = node.usage || {};
    const gpus = capacity.gpus || [];
    const labels = Object.entries(node.labels || {});
    const inUse = new Set(node.gpusInUse || []);
    const buttons = [
      node.state === 'UP' ? 'cordon' : null,
      node.state === 'CORDONED' || node.state === 'DRAINING' ? 'uncordon' : null,
      node.state !== 'DRAINING' ? 'drain' : null,
    ].filter(Boolean);
    return h('section', { class: 'node', 'data-node-id': node.id, 'data-state': node.state,
      'aria-labelledby': 'node-' + node.id },
    h('h2', { id: 'node-' + node.id }, node.id, ' ', stateBadge(node.state)),
    h('p', { class: 'node-facts' },
      node.host ? `Host ${node.host} · ` : '',
      node.available ? `Docker ${node.runtime?.version || ''}` : `Docker unavailable: ${node.runtime?.error || 'unknown'}`,
      node.gossipAgeSeconds === null || node.gossipAgeSeconds === undefined ? '' : ` · heard of ${node.gossipAgeSeconds}s ago`,
      node.environmentCount === undefined ? '' : [' · ', h('a', {
        class: 'node-environments', href: '#/environments?node=' + encodeURIComponent(node.id) },
      `${node.environmentCount} environments`)],
      ' · ', h('a', { class: 'node-volumes', href: '#/nodes/' + encodeURIComponent(node.id) + '/volumes' }, 'volumes')),
    resource('CPU', capacity.cpus || 0, reserved.cpus || 0,
      usage.cpuPercent === undefined ? null : (capacity.cpus || 0) * usage.cpuPercent / 100, cores),
    resource('Memory', capacity.memoryBytes || 0, reserved.memoryBytes || 0, usage.memoryUsedBytes ?? null, gib),
    resource('Disk', capacity.diskBytes || 0, reserved.diskBytes || 0, usage.diskUsedBytes ?? null, gib),
    resource('GPUs', gpus.length, reserved.gpus || 0, node.gpusInUse ? inUse.size : null, n => String(n)),
    gpus.length ? h('ul', { class: 'gpus', 'aria-label': 'GPUs' }, gpus.map(g => h('li', {},
      `#${g.index} ${g.name || 'GPU'}` + (g.memoryMiB ? ` · ${g.memoryMiB} MiB` : '')
        + (inUse.has(g.uuid) ? ' · in use' : '')))) : null,
    h('p', { class: 'labels' }, labels.length ? 'Labels: ' : 'No labels',
      labels.map(([k, v]) => h('code', { class: 'label' }, `${k}=${v}`))),
    h('div', { class: 'actions' }, buttons.map(action => h('button', {
      type: 'button', name: action, class: action === 'drain' ? 'danger' : null,
      'aria-label': `${ACTIONS[action][0]} ${node.id}`, onclick: () => act(node, action),
    }, ACTIONS[action][0]))));
  }

  /** Each node's card as last drawn: an unchanged node keeps its card, and the keyboard focus in it. */
  const drawn = new Map();

  function cardOf(node) {
    const json = JSON.stringify(node);
    const last = drawn.get(node.id);
    if (last && last.json === json) return last.element;
    const element = card(node);
    drawn.set(node.id, { json, element });
    return element;
  }

  function render() {
    const nodes = [...byId.values()].sort((a, b) => String(a.id).localeCompare(String(b.id)));
    list.replaceChildren(...nodes.map(cardOf));
    empty.textContent = nodes.length ? '' : 'No nodes have joined yet.';
  }

  async function load() {
    const listing = await api('GET', '/nodes');
    byId.clear();
    for (const node of listing.nodes) byId.set(node.id, node);
    render();
  }

  await load();
  show(h('h1', {}, 'Nodes'),
    h('p', { class: 'legend' }, 'Per resource, the upper bar is what the scheduler reserved, the lower one what is in use.'),
    message, list, empty);
  return listen((type, data) => {
    if (type === 'reset') {
      load().catch(e => message.replaceChildren(errorBox(e)));
    } else if (type === 'node' && data.id) {
      byId.set(data.id, data);
      render();
    }
  });
}
