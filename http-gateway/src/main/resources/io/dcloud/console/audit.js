// The audit log (GET /audit, admins): who did what, newest first, filtered by user and since when.
// The API answers the newest entries up to a limit: "Show older" asks again for a page more.
import { api } from './api.js';
import { h, errorBox, field } from './dom.js';

/** Entries per page: what a screen reads at once. */
const PAGE = 100;

/** A datetime-local value (the browser's time zone) as the instant the API takes; empty stays empty. */
function instant(local) {
  return local ? new Date(local).toISOString() : '';
}

/** answers { element, load }: the section, and a function that (re)reads the log with its filters. */
export function auditSection() {
  let limit = PAGE;
  const user = h('input', { name: 'audit-user', type: 'search', placeholder: 'any user', autocomplete: 'off' });
  const since = h('input', { name: 'audit-since', type: 'datetime-local' });
  const body = h('tbody');
  const message = h('div', { 'aria-live': 'polite' });
  const more = h('button', { type: 'button', name: 'audit-more', class: 'link', hidden: true }, 'Show older entries');
  const table = h('table', { class: 'audit-log' },
    h('caption', { class: 'visually-hidden' }, 'Who did what, newest first'),
    h('thead', {}, h('tr', {}, ['When', 'Who', 'Action', 'Target', 'Outcome', 'From']
      .map(c => h('th', { scope: 'col' }, c)))),
    body);
  // Answers can arrive out of order (the page's first, unfiltered read after a quick "Show"): only the
  // latest ask is shown, and the table says which user it lists.
  let asked = 0;

  async function load() {
    const ask = ++asked;
    const query = new URLSearchParams({ limit: String(limit) });
    if (user.value.trim()) query.set('user', user.value.trim());
    if (since.value) query.set('since', instant(since.value));
    try {
      const { entries } = await api('GET', '/audit?' + query);
      if (ask !== asked) return;
      table.dataset.user = query.get('user') ?? '';
      body.replaceChildren(...entries.map(entry => h('tr', { 'data-action': entry.action, 'data-target': entry.target ?? '' },
        h('td', {}, h('time', { datetime: entry.at }, new Date(entry.at).toLocaleString())),
        h('td', {}, entry.actor || ''), h('td', {}, entry.action), h('td', {}, entry.target || ''),
        h('td', {}, entry.outcome || ''), h('td', {}, entry.address || ''))));
      message.replaceChildren(h('p', { class: 'legend' }, entries.length
        ? `The newest ${entries.length} entries${since.value ? '' : ' of the last day'}.` : 'No entries match.'));
      // A full page may have older ones behind it.
      more.hidden = entries.length < limit;
    } catch (e) {
      if (ask !== asked) return;
      message.replaceChildren(errorBox(e));
    }
  }

  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': 'Audit log filters' },
    field('User', user), field('Since', since, 'the last day when empty'),
    h('button', { type: 'submit', name: 'audit-filter' }, 'Show'));
  filters.addEventListener('submit', event => {
    event.preventDefault();
    limit = PAGE;
    load();
  });
  more.addEventListener('click', () => {
    limit += PAGE;
    load();
  });

  const element = h('section', { class: 'audit', 'aria-labelledby': 'audit-title' },
    h('h2', { id: 'audit-title' }, 'Audit log'),
    filters, message, table, more);
  return { element, load };
}
