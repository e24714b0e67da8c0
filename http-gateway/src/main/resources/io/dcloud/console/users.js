// Users, for admins: everyone with their roles and quota, a new user, and the audit log. The API
// refuses everyone else; the console only hides the page's link from them.
import { api } from './api.js';
import { h, show, field } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';

/** The roles the API knows (openapi.yaml's Role), in the order an admin thinks of them. */
export const ROLES = ['data-scientist', 'app-developer', 'end-user', 'platform-configurer', 'admin'];

/** A quota as text: its limits, or that it has none. */
export function quotaText(quota) {
  const limits = Object.entries(quota || {}).map(([k, v]) => `${k} ${v}`);
  return limits.length ? limits.join(' · ') : 'no limits';
}

/** How a user signs in: "password" for DCloud's own, else their directory's name ("ldap"). */
export function signsIn(user) {
  return !user.source || user.source === 'built-in' ? 'password' : user.source;
}

/**
 * One checkbox per role, named "roles" like the API's field; data-field takes the API's errors about
 * them. {@code from}: the directory that gives them (a directory's user), shown and not to be changed.
 */
export function roleChoices(chosen, from) {
  const boxes = ROLES.map(role => h('label', { class: 'choice' },
    h('input', { type: 'checkbox', name: 'roles', value: role, checked: chosen.includes(role), disabled: !!from }), ' ', role));
  const group = h('fieldset', { class: 'roles', 'data-field': 'roles', id: 'roles-' + Math.random().toString(36).slice(2) },
    h('legend', {}, from ? `Roles (given by ${from} at each sign-in)` : 'Roles'), boxes);
  group.append(h('span', { class: 'field-error', id: group.id + '-error', role: 'alert' }));
  return group;
}

export function chosenRoles(group) {
  return [...group.querySelectorAll('input[name=roles]:checked')].map(box => box.value);
}

export async function usersPage() {
  const listing = await api('GET', '/users');
  const body = h('tbody', {}, listing.users.map(user => h('tr', { 'data-username': user.username },
    h('th', { scope: 'row' }, h('a', { href: '#/users/' + encodeURIComponent(user.username) }, user.username)),
    h('td', {}, (user.roles || []).join(', ')),
    h('td', {}, quotaText(user.quota), user.quotaFrom === 'user' ? ' (own)' : ' (of the roles)'),
    h('td', {}, signsIn(user)),
    h('td', {}, user.disabled ? 'disabled' : 'active'))));

  const username = h('input', { name: 'username', required: true, autocomplete: 'off', 'data-field': 'username' });
  const password = h('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password',
    'data-field': 'password' });
  const roles = roleChoices(['data-scientist']);
  // What a user owns is owned by name: the API refuses a deleted user's name unless this is ticked.
  const inherit = h('input', { type: 'checkbox', name: 'inheritDeleted', 'data-field': 'inheritDeleted' });
  const summary = h('div', { 'aria-live': 'assertive' });
  const form = h('form', { class: 'new-user', novalidate: true, 'aria-labelledby': 'new-user-title' },
    h('h2', { id: 'new-user-title' }, 'New user'),
    field('Username', username, 'lowercase letters, digits, ".", "_" and "-"'),
    field('Password', password, 'at least 8 characters'),
    roles,
    field('Inherit a deleted user\'s', inherit,
      'for the name of a deleted user only: the new user gets what they owned (environments, datasets, services, jobs, volumes)'),
    summary,
    h('button', { type: 'submit', name: 'create-user' }, 'Create user'));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFieldErrors(form, summary);
    try {
      const made = await api('POST', '/users',
        { username: username.value.trim(), password: password.value, roles: chosenRoles(roles),
          inheritDeleted: inherit.checked });
      location.hash = '#/users/' + encodeURIComponent(made.username);
    } catch (e) {
      showFieldErrors(form, summary, e);
    }
  });

  // Loaded with the page (admins only), not the console: the first page's assets stay within their budget.
  const { auditSection } = await import('./audit.js');
  const audit = auditSection();
  show(
    h('h1', {}, 'Users'),
    h('table', { class: 'users' },
      h('caption', { class: 'visually-hidden' }, 'Users, their roles and quotas'),
      h('thead', {}, h('tr', {}, ['Username', 'Roles', 'Quota', 'Signs in with', 'State'].map(c => h('th', { scope: 'col' }, c)))),
      body),
    form,
    audit.element);
  await audit.load();
  return () => {};
}
