// The environments the caller may see, kept live by the event stream, filtered by status, name and node
// (a node card's count links here with its node filled in: #/environments?node=ID).
import { api } from './api.js';
import { h, show, field } from './dom.js';
import { listen } from './events.js';

// Deleted environments are not listed (as the API's list leaves them out), so no filter offers them.
export const STATUSES = ['REQUESTED', 'QUEUED', 'PLACED', 'PREPARING', 'BUILDING', 'STARTING', 'RUNNING', 'STOPPING', 'STOPPED',
  'FAILED', 'LOST'];

export function statusBadge(status) {
  return h('span', { class: 'status status-' + String(status).toLowerCase(), 'data-status': status }, status);
}

export async function environmentsPage(query = new URLSearchParams()) {
  const byId = new Map();
  const status = h('select', { name: 'status-filter' },
    h('option', { value: '' }, 'any'), STATUSES.map(s => h('option', { value: s }, s)));
  const name = h('input', { name: 'name-filter', type: 'search', placeholder: 'part of a name' });
  const node = h('input', { name: 'node-filter', type: 'search', placeholder: 'a node id', value: query.get('node') || '' });
  const body = h('tbody');
  const empty = h('p', { class: 'empty' });

  function row(environment) {
    const link = h('a', { href: '#/environments/' + encodeURIComponent(environment.id) }, environment.name);
    return h('tr', { 'data-env-id': environment.id, 'data-status': environment.status },
      h('th', { scope: 'row' }, link),
      h('td', {}, statusBadge(environment.status),
        environment.reason ? h('span', { class: 'reason' }, environment.reason) : null),
      h('td', {}, environment.owner || ''),
      h('td', {}, environment.node || ''),
      h('td', {}, environment.resources ? `${environment.resources.cpu} CPU · ${environment.resources.ram}` : ''),
      h('td', {}, environment.updatedAt ? new Date(environment.updatedAt).toLocaleString() : ''));
  }

  function render() {
    const wanted = status.value;
    const part = name.value.trim().toLowerCase();
    const onNode = node.value.trim();
    const existing = [...byId.values()].filter(e => e.status !== 'DELETED');
    const shown = existing
      .filter(e => !wanted || e.status === wanted)
      .filter(e => !part || String(e.name).toLowerCase().includes(part))
      .filter(e => !onNode || e.node === onNode)
      .sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
    body.replaceChildren(...shown.map(row));
    empty.textContent = shown.length ? '' : (existing.length ? 'No environment matches the filter.' : 'No environments yet.');
  }

  async function load() {
    const listing = await api('GET', '/environments');
    byId.clear();
    for (const environment of listing.environments) byId.set(environment.id, environment);
    render();
  }

  status.addEventListener('change', render);
  name.addEventListener('input', render);
  node.addEventListener('input', render);
  await load();
  show(
    h('h1', {}, 'Environments'),
    h('div', { class: 'toolbar' },
      h('form', { class: 'filters', role: 'search', onsubmit: e => e.preventDefault() },
        field('Status', status), field('Name', name), field('Node', node)),
      h('a', { class: 'button', href: '#/new' }, 'New environment')),
    h('table', { class: 'environments' },
      h('caption', { class: 'visually-hidden' }, 'Your environments and their status'),
      h('thead', {}, h('tr', {}, ['Name', 'Status', 'Owner', 'Node', 'Resources', 'Updated']
        .map(c => h('th', { scope: 'col' }, c)))),
      body),
    empty);
  return listen((type, data) => {
    if (type === 'reset') {
      load().catch(() => {});
    } else if (type === 'environment' && data.id) {
      // An event carries the environment as GET shows it, with only the latest history step.
      byId.set(data.id, { ...byId.get(data.id), ...data });
      render();
    }
  });
}
