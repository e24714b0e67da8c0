// One user, for admins: their roles, disabled flag and password (PATCH /users/{username}), and their
// own quota (PUT /users/{username}/quota, the API's field errors beside each field) or back to
// their roles' quota; and the user deleted after confirming (DELETE /users/{username}).
import { api } from './api.js';
import { h, show, errorBox, field, confirmDialog } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';
import { quotaText, roleChoices, chosenRoles, signsIn } from './users.js';

/** The quota's fields as users write them, with what each takes. */
const QUOTA = [['cpu', 'CPU cores', 'e.g. 4 or 1500m'], ['ram', 'RAM', 'e.g. 16G'], ['gpu', 'GPUs', 'a whole number'],
  ['environments', 'Environments', 'how many at once'], ['storage', 'Storage', 'e.g. 100G']];

/** A count the user typed is sent as a number; anything else as typed, for the API to name what is wrong. */
function quotaValue(text) {
  return /^\d+$/.test(text) ? Number(text) : text;
}

/** What the user holds now, each against its limit where there is one: "cpu 1.5/4 · ram 2G · …". */
function usageText(user) {
  return QUOTA.map(([key]) => `${key} ${user.usage?.[key] ?? 0}` + (user.quota?.[key] !== undefined ? `/${user.quota[key]}` : ''))
    .join(' · ');
}

export async function userPage(username) {
  const path = '/users/' + encodeURIComponent(username);
  let user = await api('GET', path);
  const facts = h('dl', { class: 'facts' });

  // A directory's user: their password and roles are the directory's (the API refuses changes to them).
  const directory = signsIn(user) === 'password' ? null : user.source;
  const roles = roleChoices(user.roles || [], directory);
  const disabled = h('input', { type: 'checkbox', name: 'disabled', id: 'disabled-flag', 'data-field': 'disabled' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', 'data-field': 'password' });
  const accountSummary = h('div', { 'aria-live': 'assertive' });
  const account = h('form', { class: 'account', novalidate: true, 'aria-labelledby': 'account-title' },
    h('h2', { id: 'account-title' }, 'Account'),
    roles,
    h('div', { class: 'field' }, h('label', {}, disabled, ' Disabled (cannot sign in)'),
      h('span', { class: 'field-error', id: 'disabled-flag-error', role: 'alert' })),
    directory ? h('p', { class: 'legend signs-in' }, `Signs in with their ${directory} password.`)
      : field('New password', password, 'empty: unchanged'),
    accountSummary,
    h('button', { type: 'submit', name: 'save-account' }, 'Save account'));

  const limits = Object.fromEntries(QUOTA.map(([key]) => [key,
    h('input', { name: key, autocomplete: 'off', 'data-field': 'quota.' + key })]));
  const quotaSummary = h('div', { 'aria-live': 'assertive' });
  const quota = h('form', { class: 'quota', novalidate: true, 'aria-labelledby': 'quota-title' },
    h('h2', { id: 'quota-title' }, 'Quota'),
    h('p', { class: 'legend' }, 'The most this user may hold at once. An empty field is no limit.'),
    h('fieldset', { class: 'resources' }, h('legend', {}, 'Limits'),
      QUOTA.map(([key, label, hint]) => field(label, limits[key], hint))),
    quotaSummary,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', name: 'save-quota' }, 'Save quota'),
      h('button', { type: 'button', name: 'roles-quota', onclick: rolesQuota }, "Use the roles' quota")));

  // A change's answer is the account alone: the usage and groups of the first look stay.
  const changed = answer => ({ ...user, ...answer, usage: user.usage, groups: user.groups });

  function render() {
    facts.replaceChildren(
      h('dt', {}, 'Roles'), h('dd', { class: 'user-roles' }, (user.roles || []).join(', ') || 'none'),
      h('dt', {}, 'Quota'), h('dd', { class: 'user-quota' }, quotaText(user.quota),
        user.quotaFrom === 'user' ? " (the user's own)" : ' (of the roles)'),
      h('dt', {}, 'In use'), h('dd', { class: 'user-usage' }, usageText(user), ' ',
        h('a', { class: 'user-environments', href: '#/environments?owner=' + encodeURIComponent(username) },
          'their environments')),
      h('dt', {}, 'Groups'), h('dd', { class: 'user-groups' }, (user.groups || []).join(', ') || 'none'),
      h('dt', {}, 'Signs in with'), h('dd', { class: 'user-source' }, signsIn(user)),
      h('dt', {}, 'State'), h('dd', {}, user.disabled ? 'disabled' : 'active'),
      h('dt', {}, 'Created'), h('dd', {}, user.createdAt ? new Date(user.createdAt).toLocaleString() : ''));
    for (const box of roles.querySelectorAll('input[name=roles]')) box.checked = (user.roles || []).includes(box.value);
    disabled.checked = !!user.disabled;
    password.value = '';
    // The limits in force, so that saving changes only what the admin changed.
    for (const [key] of QUOTA) limits[key].value = user.quota?.[key] ?? '';
  }

  account.addEventListener('submit', async event => {
    event.preventDefault();
    clearFieldErrors(account, accountSummary);
    const change = { roles: chosenRoles(roles), disabled: disabled.checked };
    if (password.value) change.password = password.value;
    try {
      user = changed(await api('PATCH', path, change));
      render();
      accountSummary.replaceChildren(h('p', { class: 'saved', role: 'status' }, `Saved ${username}'s account.`));
    } catch (e) {
      showFieldErrors(account, accountSummary, e);
    }
  });

  quota.addEventListener('submit', async event => {
    event.preventDefault();
    clearFieldErrors(quota, quotaSummary);
    const wanted = {};
    for (const [key] of QUOTA) {
      const text = limits[key].value.trim();
      if (text) wanted[key] = quotaValue(text);
    }
    try {
      user = changed(await api('PUT', path + '/quota', wanted));
      render();
      quotaSummary.replaceChildren(h('p', { class: 'saved', role: 'status' }, `Saved ${username}'s quota.`));
    } catch (e) {
      showFieldErrors(quota, quotaSummary, e);
    }
  });

  async function rolesQuota() {
    if (!await confirmDialog(`Give ${username} the quota of their roles again, instead of their own?`, "Use the roles' quota")) {
      return;
    }
    clearFieldErrors(quota, quotaSummary);
    try {
      user = changed(await api('DELETE', path + '/quota'));
      render();
      quotaSummary.replaceChildren(h('p', { class: 'saved', role: 'status' }, `${username} has the roles' quota again.`));
    } catch (e) {
      quotaSummary.replaceChildren(errorBox(e));
    }
  }

  const removal = h('div', { 'aria-live': 'assertive' });
  async function remove() {
    // What they own is owned by their name and stays, stopped: the admin hears it before, not after.
    const environments = user.usage?.environments ?? 0;
    const stays = 'Their environments are stopped first; their services keep serving.'
      + ` What they own (${environments} environment(s), and any datasets, services, jobs, volumes) stays under`
      + ` the name ${username}, for you to remove, or for a new ${username} made with "Inherit a deleted user's".`;
    if (!await confirmDialog(`Delete user ${username}? They can no longer sign in; this cannot be undone. ${stays}`, 'Delete')) {
      return;
    }
    try {
      await api('DELETE', path);
      location.hash = '#/users';
    } catch (e) {
      removal.replaceChildren(errorBox(e));
    }
  }

  render();
  show(h('article', { class: 'user-page', 'data-username': username },
    h('h1', {}, 'User ', username),
    h('p', {}, h('a', { href: '#/users' }, 'All users and the audit log')),
    facts, account, quota,
    h('section', { class: 'delete-user', 'aria-labelledby': 'delete-user-title' },
      h('h2', { id: 'delete-user-title' }, 'Delete'), removal,
      h('button', { type: 'button', name: 'delete-user', class: 'danger', onclick: remove }, `Delete ${username}`))));
  return () => {};
}
