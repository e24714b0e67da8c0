// Usage (#/usage, every signed-in user): what an owner's environments consumed in a calendar month
// (UTC) — GET /usage: the hours each ran, times its CPU, memory and GPUs, deleted ones included — and
// for admins another owner's (the Owner field; #/usage?owner=NAME&month=YYYY-MM) and every owner's
// month (GET /usage/owners). A bad or future month is refused by the API beside the month field.
import { api } from './api.js';
import { h, show, field, errorBox } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';
import { statusBadge } from './environments.js';

/** The figures each row and total has, as the API names them, with their column's heading. */
const FIGURES = [['runningHours', 'Hours'], ['cpuHours', 'CPU-hours'], ['memoryGibHours', 'Memory GiB-hours'],
  ['gpuHours', 'GPU-hours']];

/** The API's months are UTC ones: this one, as YYYY-MM. */
function thisMonth() {
  return new Date().toISOString().slice(0, 7);
}

/** An instant of the API's as the UTC minute it is ("2026-12-01 00:00 UTC"): the months are UTC ones. */
function utc(instant) {
  return h('time', { datetime: instant }, String(instant).slice(0, 16).replace('T', ' ') + ' UTC');
}

/** The figure's cells, 2 decimals, the API's own value in data-{figure} for whoever reads the page by machine. */
function figureCells(row) {
  return FIGURES.map(([key]) => h('td', { class: 'number', [`data-${key.replace(/[A-Z]/g, c => '-' + c.toLowerCase())}`]: row[key] ?? 0 },
    Number(row[key] ?? 0).toFixed(2)));
}

/** The table's headings: its first columns' (a count among them is a number too), then the figures'. */
function figureHeadings(first) {
  return h('thead', {}, h('tr', {}, first.map(c => h('th', { scope: 'col', class: c === 'Environments' ? 'number' : null }, c)),
    FIGURES.map(([, heading]) => h('th', { scope: 'col', class: 'number' }, heading))));
}

export async function usagePage(query = new URLSearchParams(), admin = false) {
  const month = h('input', { name: 'usage-month', type: 'month', max: thisMonth(), required: true, 'data-field': 'month',
    value: query.get('month') || thisMonth() });
  const owner = admin
    ? h('input', { name: 'usage-owner', type: 'search', placeholder: 'you', autocomplete: 'off', 'data-field': 'owner',
      value: query.get('owner') || '' })
    : null;
  const summary = h('div', { 'aria-live': 'assertive' });
  const form = h('form', { class: 'filters usage-filters', novalidate: true, role: 'search', 'aria-label': 'Whose usage, which month' },
    field('Month', month, 'a calendar month, UTC'),
    owner ? field('Owner', owner, 'empty: yours') : null,
    h('button', { type: 'submit', name: 'usage-show' }, 'Show'));

  const period = h('p', { class: 'usage-period legend' });
  const body = h('tbody');
  const foot = h('tfoot');
  const empty = h('p', { class: 'empty' });
  const table = h('table', { class: 'usage' },
    h('caption', { class: 'visually-hidden' }, 'What each environment consumed in the month'),
    figureHeadings(['Environment', 'Status']), body, foot);

  const ownersBody = h('tbody');
  const ownersFoot = h('tfoot');
  const ownersMessage = h('div', { 'aria-live': 'polite' });
  const ownersTable = h('table', { class: 'usage-owners' },
    h('caption', { class: 'visually-hidden' }, 'What each owner consumed in the month'),
    figureHeadings(['Owner', 'Environments']), ownersBody, ownersFoot);
  const owners = admin
    ? h('section', { class: 'usage-all', 'aria-labelledby': 'usage-owners-title' },
      h('h2', { id: 'usage-owners-title' }, 'All owners'), ownersMessage, ownersTable)
    : null;

  // Answers can arrive out of order (a quick second "Show" while the first is on its way): only the
  // latest ask's are shown, and each table says which month (and owner) it lists once it does.
  let asked = 0;

  function showUsage(report) {
    body.replaceChildren(...report.environments.map(e => h('tr', { 'data-env-id': e.id, 'data-status': e.status },
      h('th', { scope: 'row' }, e.status === 'DELETED' ? e.name
        : h('a', { href: '#/environments/' + encodeURIComponent(e.id) }, e.name)),
      h('td', {}, statusBadge(e.status)),
      figureCells(e))));
    const total = report.total || {};
    foot.replaceChildren(h('tr', { class: 'total', 'data-environments': total.environments ?? 0 },
      h('th', { scope: 'row' }, 'Total'),
      h('td', {}, `${total.environments ?? 0} environment${total.environments === 1 ? '' : 's'}`),
      figureCells(total)));
    period.replaceChildren(`${report.owner}'s usage in ${report.month}: `, utc(report.from), ' – ', utc(report.to),
      report.month === thisMonth() ? ' (so far)' : '');
    empty.textContent = report.environments.length ? '' : 'No environment ran in this month.';
    // A month left empty asked for the API's current one: the field says which that was.
    if (!month.value) month.value = report.month;
    table.dataset.owner = report.owner;
    table.dataset.month = report.month;
  }

  function showOwners(report) {
    ownersBody.replaceChildren(...report.owners.map(o => h('tr', { 'data-owner': o.owner },
      h('th', { scope: 'row' }, h('a', { href: '#/usage?' + new URLSearchParams({ month: report.month, owner: o.owner }) },
        o.owner)),
      h('td', { class: 'number' }, o.environments),
      figureCells(o))));
    const total = report.total || {};
    ownersFoot.replaceChildren(h('tr', { class: 'total', 'data-environments': total.environments ?? 0 },
      h('th', { scope: 'row' }, 'Total'),
      h('td', { class: 'number' }, total.environments ?? 0),
      figureCells(total)));
    ownersMessage.replaceChildren(report.owners.length ? ''
      : h('p', { class: 'empty' }, 'Nobody used anything in this month.'));
    ownersTable.dataset.month = report.month;
  }

  async function load() {
    const ask = ++asked;
    clearFieldErrors(form, summary);
    const params = new URLSearchParams();
    if (month.value) params.set('month', month.value);
    if (owner?.value.trim()) params.set('owner', owner.value.trim());
    const asking = params.toString() ? '?' + params : '';
    // What is shown can be reloaded and shared: the address says it (without a new page: no hashchange).
    history.replaceState(null, '', '#/usage' + asking);
    const ofMonth = month.value ? '?' + new URLSearchParams({ month: month.value }) : '';
    await Promise.all([
      api('GET', '/usage' + asking).then(report => {
        if (ask === asked) showUsage(report);
      }, e => {
        if (ask === asked) showFieldErrors(form, summary, e);
      }),
      admin && api('GET', '/usage/owners' + ofMonth).then(report => {
        if (ask === asked) showOwners(report);
      }, e => {
        // A bad month is said beside its field, by the first request's answer.
        if (ask === asked && e.status !== 400) ownersMessage.replaceChildren(errorBox(e));
      }),
    ]);
  }

  form.addEventListener('submit', event => {
    event.preventDefault();
    load();
  });

  show(
    h('h1', {}, 'Usage'),
    h('p', {}, 'What environments consumed in a calendar month (UTC): the hours each ran, times its CPU cores, ',
      'memory (GiB) and GPUs. Deleted environments still count; service replicas count for the service\'s owner.'),
    form, summary, period,
    table, empty,
    owners);
  await load();
  // An answer still on its way when another page is shown is not drawn.
  return () => {
    asked++;
  };
}
