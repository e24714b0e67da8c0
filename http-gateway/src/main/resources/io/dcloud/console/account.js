// The signed-in user's own page (#/account, the header's name links to it): who they are, their API
// tokens for scripts (made here, each shown once; revoked here), and their groups (admins manage all).
import { api } from './api.js';
import { h, show, errorBox, field, confirmDialog } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';
import { groupsSection } from './groups.js';

export async function accountPage() {
  const me = await api('GET', '/users/me');
  const tokens = tokensSection();
  const groups = groupsSection((me.roles || []).includes('admin'));
  show(
    h('h1', {}, 'Your account'),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Username'), h('dd', { class: 'account-username' }, me.username),
      h('dt', {}, 'Roles'), h('dd', {}, (me.roles || []).join(', ')),
      h('dt', {}, 'Groups'), h('dd', {}, (me.groups || []).join(', ') || 'none')),
    tokens.element,
    groups.element);
  await Promise.all([tokens.load(), groups.load()]);
  return () => {};
}

/** API tokens: long-lived bearers for scripts and the CLI (DCLOUD_TOKEN), listed without their secret. */
function tokensSection() {
  const body = h('tbody');
  const message = h('div', { 'aria-live': 'polite' });
  const name = h('input', { name: 'token-name', required: true, autocomplete: 'off', 'data-field': 'name' });
  const expiresIn = h('input', { name: 'token-expires-in', autocomplete: 'off', placeholder: '30d', 'data-field': 'expiresIn' });
  const issued = h('div', { class: 'issued-token', 'aria-live': 'polite' });
  const summary = h('div', { 'aria-live': 'assertive' });
  const form = h('form', { class: 'new-token', novalidate: true, 'aria-labelledby': 'new-token-title' },
    h('h3', { id: 'new-token-title' }, 'New API token'),
    field('Name', name, 'what it is for, e.g. ci'),
    field('Expires in', expiresIn, 'a duration such as 30d or 12h; empty: the longest the platform allows'),
    summary,
    h('button', { type: 'submit', name: 'create-token' }, 'Create token'));

  async function load() {
    try {
      const { tokens } = await api('GET', '/users/me/tokens');
      body.replaceChildren(...tokens.map(token => h('tr', { 'data-token-id': token.id },
        h('th', { scope: 'row' }, token.name || '—'),
        h('td', {}, h('time', { datetime: token.createdAt }, new Date(token.createdAt).toLocaleString())),
        h('td', {}, token.expiresAt ? h('time', { datetime: token.expiresAt }, new Date(token.expiresAt).toLocaleString()) : '—'),
        h('td', {}, h('button', { type: 'button', name: 'revoke-token', class: 'danger',
          'aria-label': `Revoke the token ${token.name || token.id}`, onclick: () => revoke(token) }, 'Revoke')))));
      if (!tokens.length) body.replaceChildren(h('tr', {}, h('td', { colspan: 4 }, 'No API tokens.')));
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  async function revoke(token) {
    if (!await confirmDialog(`Revoke the token ${token.name || token.id}? Scripts using it are refused from now on.`,
      'Revoke')) return;
    try {
      await api('DELETE', '/users/me/tokens/' + encodeURIComponent(token.id));
      message.replaceChildren(h('p', { role: 'status' }, `Revoked ${token.name || token.id}.`));
      await load();
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFieldErrors(form, summary);
    issued.replaceChildren();
    try {
      const request = { name: name.value.trim() };
      if (expiresIn.value.trim()) request.expiresIn = expiresIn.value.trim();
      const made = await api('POST', '/users/me/tokens', request);
      issued.replaceChildren(h('p', {}, `The token ${made.name || made.id}, shown this once: copy it now.`),
        h('pre', { class: 'token', tabindex: 0, 'aria-label': 'The new token' }, made.token));
      form.reset();
      await load();
    } catch (e) {
      showFieldErrors(form, summary, e);
    }
  });

  const element = h('section', { 'aria-labelledby': 'tokens-title' },
    h('h2', { id: 'tokens-title' }, 'API tokens'),
    h('p', {}, 'For scripts and the CLI: DCLOUD_TOKEN=… dcloud env ls. A token acts as you until it expires or is revoked.'),
    h('table', { class: 'tokens' },
      h('caption', { class: 'visually-hidden' }, 'Your API tokens'),
      h('thead', {}, h('tr', {}, ['Name', 'Created', 'Expires', ''].map(c => h('th', { scope: 'col' }, c)))),
      body),
    message, form, issued);
  return { element, load };
}
