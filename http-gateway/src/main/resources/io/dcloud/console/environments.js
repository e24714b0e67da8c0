// The environments the caller may see, kept live by the event stream, filtered by status, name, node and
// owner (a node card's count links here with its node filled in: #/environments?node=ID, a user's page
// with its owner: #/environments?owner=NAME); those ticked are
// stopped, restarted or deleted together after one confirmation (as `dcloud env stop a b`).
import { api } from './api.js';
import { h, show, field, confirmDialog, errorBox } from './dom.js';
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
  const owner = h('input', { name: 'owner-filter', type: 'search', placeholder: 'a username', value: query.get('owner') || '' });
  const body = h('tbody');
  const empty = h('p', { class: 'empty' });
  // Ticked rows, by id: kept across the redraws that every event makes, and only while shown.
  const selected = new Set();
  let shownIds = [];
  const selectAll = h('input', { type: 'checkbox', name: 'select-all', 'aria-label': 'Select every environment shown' });
  const count = h('span', { class: 'selected-count', 'aria-live': 'polite' });
  const bulkMessage = h('div', { class: 'bulk-message', 'aria-live': 'polite' });
  const bulkButtons = [['stop', 'Stop'], ['restart', 'Restart'], ['delete', 'Delete']].map(([what, label]) =>
    h('button', { type: 'button', name: 'bulk-' + what, class: what === 'delete' ? 'danger' : '', onclick: () => act(what, label) },
      label));

  function row(environment) {
    const link = h('a', { href: '#/environments/' + encodeURIComponent(environment.id) }, environment.name);
    const tick = h('input', { type: 'checkbox', name: 'select', value: environment.id, checked: selected.has(environment.id),
      'aria-label': 'Select ' + environment.name });
    tick.addEventListener('change', () => {
      if (tick.checked) selected.add(environment.id); else selected.delete(environment.id);
      drawSelection();
    });
    return h('tr', { 'data-env-id': environment.id, 'data-status': environment.status },
      h('td', {}, tick),
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
    const ownedBy = owner.value.trim();
    const existing = [...byId.values()].filter(e => e.status !== 'DELETED');
    const shown = existing
      .filter(e => !wanted || e.status === wanted)
      .filter(e => !part || String(e.name).toLowerCase().includes(part))
      .filter(e => !onNode || e.node === onNode)
      .filter(e => !ownedBy || e.owner === ownedBy)
      .sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
    shownIds = shown.map(e => e.id);
    for (const id of [...selected]) if (!shownIds.includes(id)) selected.delete(id);
    body.replaceChildren(...shown.map(row));
    empty.textContent = shown.length ? '' : (existing.length ? 'No environment matches the filter.' : 'No environments yet.');
    drawSelection();
  }

  function drawSelection() {
    count.textContent = selected.size ? `${selected.size} selected` : '';
    selectAll.checked = shownIds.length > 0 && selected.size === shownIds.length;
    for (const button of bulkButtons) button.disabled = selected.size === 0;
  }

  /** One request per ticked environment, all at once; what each answered is shown, and what was refused, with why. */
  async function act(what, label) {
    const ids = [...selected];
    const names = ids.map(id => byId.get(id)?.name || id);
    if (!ids.length || !await confirmDialog(`${label} ${ids.length === 1 ? names[0] : `${ids.length} environments: ${names.join(', ')}`}?`, label)) return;
    const path = id => '/environments/' + encodeURIComponent(id);
    const answers = await Promise.allSettled(ids.map(id => what === 'delete' ? api('DELETE', path(id)) : api('POST', path(id) + '/' + what)));
    const refused = [];
    answers.forEach((answer, i) => {
      // The event stream may have said more already (DELETED after a delete's STOPPING): an answer
      // no newer than what is shown changes nothing.
      const shown = byId.get(ids[i]);
      const newer = answer.value && (!shown?.updatedAt || Date.parse(answer.value.updatedAt) > Date.parse(shown.updatedAt));
      if (answer.status === 'fulfilled' && newer) byId.set(ids[i], { ...shown, ...answer.value });
      if (answer.status === 'rejected') refused.push(`${names[i]}: ${answer.reason.message}`);
    });
    selected.clear();
    render();
    const done = ids.length - refused.length;
    bulkMessage.replaceChildren(...[done ? h('p', { role: 'status' }, `${what} requested for ${done}`) : null,
      refused.length ? errorBox(new Error(refused.join('; '))) : null].filter(Boolean));
  }

  async function load() {
    const listing = await api('GET', '/environments');
    byId.clear();
    for (const environment of listing.environments) byId.set(environment.id, environment);
    render();
  }

  selectAll.addEventListener('change', () => {
    if (selectAll.checked) shownIds.forEach(id => selected.add(id)); else selected.clear();
    render();
  });
  status.addEventListener('change', render);
  name.addEventListener('input', render);
  node.addEventListener('input', render);
  owner.addEventListener('input', render);
  await load();
  show(
    h('h1', {}, 'Environments'),
    h('div', { class: 'toolbar' },
      h('form', { class: 'filters', role: 'search', onsubmit: e => e.preventDefault() },
        field('Status', status), field('Name', name), field('Node', node), field('Owner', owner)),
      h('a', { class: 'button', href: '#/new' }, 'New environment')),
    h('div', { class: 'bulk-actions actions', role: 'group', 'aria-label': 'With the selected environments' },
      ...bulkButtons, count),
    bulkMessage,
    h('table', { class: 'environments' },
      h('caption', { class: 'visually-hidden' }, 'Your environments and their status'),
      h('thead', {}, h('tr', {}, h('td', {}, selectAll), ['Name', 'Status', 'Owner', 'Node', 'Resources', 'Updated']
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
