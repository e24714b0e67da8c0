// Which groups' members see an environment, read-only: shown from the environment's sharedWith, and
// changed by its owner (PUT /environments/{id}/sharing, the whole list; [] stops sharing). The
// choices are the caller's groups (GET /groups) and those it is shared with already.
import { api } from './api.js';
import { h, errorBox } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';

/**
 * The sharing section of environment id; fill(sharedWith) shows the groups it is shared with now,
 * onShared(groups) gets the API's answer after a change.
 */
export function sharingSection(id, onShared) {
  const path = '/environments/' + encodeURIComponent(id) + '/sharing';
  const current = h('p', { class: 'sharing-groups' });
  const choices = h('fieldset', { class: 'share-groups', 'data-field': 'groups', id: 'share-groups' });
  const error = h('span', { class: 'field-error', id: 'share-groups-error', role: 'alert' });
  const summary = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'sharing', novalidate: true, 'aria-labelledby': 'sharing-title' },
    h('h2', { id: 'sharing-title' }, 'Sharing'), current, choices, summary,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', name: 'share' }, 'Save sharing'),
      h('button', { type: 'button', name: 'unshare', onclick: () => share([]) }, 'Stop sharing')));
  let mine = [];
  let shared = [];

  function draw() {
    const groups = [...new Set([...mine, ...shared])].sort();
    choices.replaceChildren(h('legend', {}, 'Share with the groups'),
      ...(groups.length ? groups.map(group => h('label', { class: 'choice' },
        h('input', { type: 'checkbox', name: 'share-group', value: group, checked: shared.includes(group) }), ' ', group))
        : [h('p', { class: 'no-groups' }, 'You are in no group: an admin makes groups.')]),
      error);
  }

  /** Called on every redraw of the page: the boxes are drawn again only when the sharing changed, not the user's ticks. */
  function fill(sharedWith) {
    if (JSON.stringify(sharedWith || []) === JSON.stringify(shared) && current.textContent) return;
    shared = sharedWith || [];
    current.textContent = shared.length ? `Shared read-only with the groups ${shared.join(', ')}.` : 'Not shared with any group.';
    draw();
  }

  async function share(groups) {
    clearFieldErrors(form, summary);
    try {
      const answer = await api('PUT', path, { groups });
      onShared(answer.groups || []);
      summary.replaceChildren(h('p', { class: 'saved', role: 'status' },
        answer.groups?.length ? 'Saved the sharing.' : 'No longer shared.'));
    } catch (e) {
      showFieldErrors(form, summary, e);
    }
  }

  form.addEventListener('submit', event => {
    event.preventDefault();
    share([...choices.querySelectorAll('input[name=share-group]:checked')].map(box => box.value));
  });
  api('GET', '/groups').then(answer => {
    mine = (answer.groups || []).map(group => group.name);
    draw();
  }).catch(e => summary.replaceChildren(errorBox(e)));
  return { element: form, fill };
}
