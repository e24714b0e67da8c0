// Groups of users (GET /groups: the caller's; an admin's has all). Admins make them, set their
// members (the whole list; a dropped member is signed out) and delete them; members only read.
import { api } from './api.js';
import { h, errorBox, field, confirmDialog, commaNames } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';

/** answers { element, load }; manage: the caller is an admin. */
export function groupsSection(manage) {
  const body = h('tbody');
  const message = h('div', { 'aria-live': 'polite' });

  async function load() {
    try {
      const { groups } = await api('GET', '/groups');
      body.replaceChildren(...groups.map(group => row(group)));
      if (!groups.length) body.replaceChildren(h('tr', {}, h('td', { colspan: 3 }, manage ? 'No groups yet.' : 'You are in no group.')));
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  function row(group) {
    const members = (group.members || []).join(', ');
    if (!manage) {
      return h('tr', { 'data-group': group.name }, h('th', { scope: 'row' }, group.name), h('td', { class: 'members' }, members));
    }
    const input = h('input', { name: 'group-members', value: members, autocomplete: 'off',
      'aria-label': `Members of ${group.name}` });
    return h('tr', { 'data-group': group.name }, h('th', { scope: 'row' }, group.name),
      h('td', { class: 'members' }, input),
      h('td', {},
        h('button', { type: 'button', name: 'save-members', onclick: () => save(group, input) }, 'Save members'), ' ',
        h('button', { type: 'button', name: 'delete-group', class: 'danger', onclick: () => remove(group) }, 'Delete')));
  }

  async function save(group, input) {
    try {
      await api('PATCH', '/groups/' + encodeURIComponent(group.name), { members: commaNames(input.value) });
      message.replaceChildren(h('p', { role: 'status' }, `Saved the members of ${group.name}.`));
      await load();
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  async function remove(group) {
    if (!await confirmDialog(`Delete the group ${group.name}? Its members are signed out, and what was shared with it is no longer.`,
      'Delete')) return;
    try {
      await api('DELETE', '/groups/' + encodeURIComponent(group.name));
      message.replaceChildren(h('p', { role: 'status' }, `Deleted ${group.name}.`));
      await load();
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  const children = [h('h2', { id: 'groups-title' }, 'Groups'),
    h('table', { class: 'groups' },
      h('caption', { class: 'visually-hidden' }, 'Groups and their members'),
      h('thead', {}, h('tr', {}, (manage ? ['Group', 'Members', ''] : ['Group', 'Members']).map(c => h('th', { scope: 'col' }, c)))),
      body),
    message];
  if (manage) children.push(newGroupForm(load));
  return { element: h('section', { 'aria-labelledby': 'groups-title' }, ...children), load };
}

function newGroupForm(reload) {
  const name = h('input', { name: 'group-name', required: true, autocomplete: 'off', 'data-field': 'name' });
  const members = h('input', { name: 'new-group-members', autocomplete: 'off', 'data-field': 'members' });
  // Shares name their group: the API refuses a deleted group's name unless this is ticked.
  const inherit = h('input', { type: 'checkbox', name: 'inheritDeleted', 'data-field': 'inheritDeleted' });
  const summary = h('div', { 'aria-live': 'assertive' });
  const form = h('form', { class: 'new-group', novalidate: true, 'aria-labelledby': 'new-group-title' },
    h('h3', { id: 'new-group-title' }, 'New group'),
    field('Name', name, 'lowercase letters, digits, ".", "_" and "-"'),
    field('Members', members, 'usernames, separated by commas'),
    field('Inherit a deleted group\'s', inherit,
      'for the name of a deleted group only: what was shared with it (environments, datasets) is shared with this one'),
    summary,
    h('button', { type: 'submit', name: 'create-group' }, 'Create group'));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFieldErrors(form, summary);
    try {
      await api('POST', '/groups', { name: name.value.trim(), members: commaNames(members.value),
        inheritDeleted: inherit.checked });
      form.reset();
      await reload();
    } catch (e) {
      showFieldErrors(form, summary, e);
    }
  });
  return form;
}
