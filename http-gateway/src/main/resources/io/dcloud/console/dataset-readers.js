// Who besides its owner may read a dataset (PUT …/readers, the whole lists each time): users and
// groups as comma-separated names. The API refuses names it does not know (422 naming them), shown
// beside the field they were typed in; only the owner and admins may change them (others hear why).
import { api } from './api.js';
import { h, field, commaNames } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';

/**
 * The readers form for the dataset at path (…/datasets/c/d/n); fill(dataset) shows its lists,
 * onSaved(dataset) gets the API's answer after a change.
 */
export function readersForm(path, onSaved) {
  const users = h('input', { name: 'reader-users', autocomplete: 'off', 'data-field': 'users' });
  const groups = h('input', { name: 'reader-groups', autocomplete: 'off', 'data-field': 'groups' });
  const summary = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'readers', novalidate: true, 'aria-labelledby': 'readers-title' },
    h('h2', { id: 'readers-title' }, 'Readers'),
    field('Users', users, 'comma-separated usernames; empty: no users'),
    field('Groups', groups, 'comma-separated group names; their members read it'),
    summary,
    h('button', { type: 'submit', name: 'save-readers' }, 'Save readers'));

  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFieldErrors(form, summary);
    try {
      const dataset = await api('PUT', path + '/readers', { users: commaNames(users.value), groups: commaNames(groups.value) });
      onSaved(dataset);
      summary.replaceChildren(h('p', { class: 'saved', role: 'status' }, 'Saved the readers.'));
    } catch (e) {
      showFieldErrors(form, summary, e);
    }
  });

  function fill(dataset) {
    users.value = (dataset.readers || []).join(', ');
    groups.value = (dataset.readerGroups || []).join(', ');
  }
  return { element: form, fill };
}
