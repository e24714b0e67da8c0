// Environment volumes. One node's, for configurers and admins: persistent volumes outlive their
// environment (kept on delete, left on a machine it moved off), and only an operator knows when
// their data may go. Each with what became of its environment; those no environment holds are
// removed after a confirmation that says the data goes with them. And a user's own on every node
// (#/volumes): the names the new-environment form's Kept volume field takes, removable alike.
import { api } from './api.js';
import { h, show, errorBox, confirmDialog } from './dom.js';
import { statusBadge } from './environments.js';
import { sizeText } from './dataset-upload.js';

/** What each state means, said beside the table so no one has to guess. */
const STATES = {
  ATTACHED: 'its environment is on this node (or may come back to it), or another environment mounts it again',
  LEFT_BEHIND: 'its environment runs on another node now; this holds the data it had here',
  ORPHANED: 'its environment was deleted, or collected since',
};

function environmentCell(volume) {
  const environment = volume.environment;
  const again = volume.mountedBy ? h('span', {}, ' · mounted again by ',
    h('a', { href: '#/environments/' + encodeURIComponent(volume.mountedBy) }, h('code', {}, volume.mountedBy))) : '';
  if (!environment) return h('td', {}, h('code', {}, volume.environmentId), ' (collected)', again);
  return h('td', {},
    h('a', { href: '#/environments/' + encodeURIComponent(volume.environmentId) }, environment.name || volume.environmentId),
    ' ', statusBadge(environment.status),
    environment.owner ? ` · ${environment.owner}` : '',
    environment.node && volume.state === 'LEFT_BEHIND' ? ` · now on ${environment.node}` : '',
    again);
}

export function nodeVolumesPage(nodeId) {
  return volumesPage(nodeId);
}

/** The caller's volumes on every node (admins: everyone's); they remove their own no environment holds. */
export function myVolumesPage() {
  return volumesPage(null);
}

async function volumesPage(nodeId) {
  const body = h('tbody');
  const unreachable = h('p', { class: 'unreachable', 'aria-live': 'polite' });
  const message = h('div', { 'aria-live': 'polite' });
  const filter = h('select', { name: 'state', 'aria-label': 'Show' },
    h('option', { value: '' }, 'All volumes'),
    Object.keys(STATES).map(state => h('option', { value: state }, state.replace('_', ' ').toLowerCase())));
  const path = nodeId ? `/nodes/${encodeURIComponent(nodeId)}/volumes` : '/volumes';
  const columns = ['Volume', ...(nodeId ? [] : ['Node']), 'State', 'In use', 'Size', 'Mounted at', 'Environment', 'Created', ''];

  async function remove(volume) {
    const question = `Remove volume ${volume.name} from node ${volume.node}? Its data is deleted for good.`;
    if (!await confirmDialog(question, 'Remove')) return;
    try {
      await api('DELETE', nodeId ? `${path}/${encodeURIComponent(volume.name)}`
        : `/volumes/${encodeURIComponent(volume.node)}/${encodeURIComponent(volume.name)}`);
      message.replaceChildren(h('p', { class: 'saved' }, `Removed ${volume.name}.`));
      await load();
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  function row(volume) {
    return h('tr', { 'data-volume': volume.name, 'data-state': volume.state },
      h('th', { scope: 'row' }, h('code', {}, volume.name)),
      nodeId ? '' : h('td', {}, volume.node),
      h('td', { title: STATES[volume.state] || '' }, volume.state),
      h('td', {}, volume.inUse ? 'mounted' : ''),
      h('td', { class: 'size' }, volume.usedBytes == null ? '' : sizeText(volume.usedBytes)),
      h('td', {}, volume.target ? h('code', {}, volume.target) : ''),
      environmentCell(volume),
      h('td', {}, volume.createdAt ? new Date(volume.createdAt).toLocaleString() : ''),
      h('td', {}, volume.removable ? h('button', { type: 'button', name: 'remove', class: 'danger',
        'aria-label': `Remove ${volume.name}`, onclick: () => remove(volume) }, 'Remove') : ''));
  }

  async function load() {
    const answer = await api('GET', path + (filter.value ? `?state=${filter.value}` : ''));
    body.replaceChildren(...answer.volumes.map(row));
    if (!answer.volumes.length) {
      body.replaceChildren(h('tr', {}, h('td', { colspan: columns.length, class: 'empty' },
        filter.value ? 'No volume in that state.'
          : nodeId ? 'This node holds no environment volumes.' : 'No environment of yours has a volume.')));
    }
    unreachable.textContent = answer.unreachable?.length
      ? `Not listed: the volumes of ${answer.unreachable.join(', ')}, which could not be asked.` : '';
  }

  filter.addEventListener('change', () => load().catch(e => message.replaceChildren(errorBox(e))));
  await load();
  show(
    h('h1', {}, nodeId ? `Volumes on ${nodeId}` : 'Your volumes'),
    nodeId ? h('p', {}, h('a', { href: '#/nodes' }, '← Nodes'))
      : h('p', {}, 'A deleted environment keeps its persistent volumes. Mount one again in a ',
        h('a', { href: '#/new' }, 'new environment'), ': its storage row\'s Kept volume field takes the name.'),
    h('dl', { class: 'legend volume-states' }, Object.entries(STATES).flatMap(([state, meaning]) => [h('dt', {}, state), h('dd', {}, meaning)])),
    filter, message, unreachable,
    h('table', { class: 'node-volumes' },
      h('caption', { class: 'visually-hidden' }, nodeId ? `The environment volumes of node ${nodeId}` : 'Your environment volumes'),
      h('thead', {}, h('tr', {}, columns.map(c => h('th', { scope: 'col' }, c)))),
      body));
  return () => {};
}
