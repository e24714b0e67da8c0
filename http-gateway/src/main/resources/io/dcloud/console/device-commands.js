// A controller's commands: for platform configurers and admins a form generated from its type's
// commands and their parameters (POST /devices/{id}/commands), and the commands issued so far with
// their status (pending, sent, acked, rejected, expired), asked again every 2 s so that an ack shows.
import { api } from './api.js';
import { h, field, errorBox } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';
import { describeValue } from './device-types.js';

const EVERY_MS = 2000;

/** One control per parameter, of its type; value() answers what the API takes (undefined when empty). */
function paramControl(name, spec) {
  const type = String(spec.type).toLowerCase();
  const attributes = { name: 'param-' + name, 'data-field': 'params.' + name, autocomplete: 'off' };
  if (type === 'boolean') {
    const select = h('select', attributes, h('option', { value: 'true' }, 'true'), h('option', { value: 'false' }, 'false'));
    return { control: select, value: () => select.value === 'true' };
  }
  if (type === 'number' || type === 'integer') {
    const input = h('input', { ...attributes, type: 'number', step: type === 'integer' ? 1 : 'any',
      min: spec.min ?? undefined, max: spec.max ?? undefined });
    // A number the browser could not read goes as the text typed, for the API to name.
    return { control: input, value: () => input.value === '' ? undefined : Number.isNaN(Number(input.value))
      ? input.value : Number(input.value) };
  }
  const input = h('input', attributes);
  return { control: input, value: () => input.value };
}

function commandForm(id, type, onIssued) {
  const commands = Object.entries(type.commands || {});
  const name = h('select', { name: 'command', 'data-field': 'name' }, commands.map(([c]) => h('option', { value: c }, c)));
  const params = h('div', { class: 'command-params' });
  const summary = h('div', { 'aria-live': 'assertive' });
  let controls = [];

  function showParams() {
    const spec = (type.commands || {})[name.value] || { params: {} };
    controls = Object.entries(spec.params || {}).map(([p, s]) => ({ name: p, ...paramControl(p, s), spec: s }));
    params.replaceChildren(...controls.map(c => field(c.name, c.control, describeValue(c.spec))));
  }

  name.addEventListener('change', showParams);
  showParams();
  const form = h('form', { class: 'issue-command', novalidate: true, 'aria-labelledby': 'issue-command-title' },
    h('h3', { id: 'issue-command-title' }, 'Issue a command'),
    field('Command', name), params, summary, h('button', { type: 'submit', name: 'issue-command' }, 'Send'));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFieldErrors(form, summary);
    const request = { name: name.value, params: Object.fromEntries(controls.map(c => [c.name, c.value()])) };
    try {
      await api('POST', `/devices/${encodeURIComponent(id)}/commands`, request);
      onIssued();
    } catch (e) {
      showFieldErrors(form, summary, e);
    }
  });
  return form;
}

export function commandsSection(id, type, canWrite, stops) {
  const body = h('tbody');
  const message = h('div', { 'aria-live': 'polite' });
  let timer = null;
  let stopped = false;

  async function load() {
    clearTimeout(timer);
    try {
      const { items } = await api('GET', `/devices/${encodeURIComponent(id)}/commands`);
      body.replaceChildren(...items.map(c => h('tr', { 'data-command': c.id, 'data-status': c.status },
        h('th', { scope: 'row' }, `${c.name}(${Object.entries(c.params || {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(', ')})`),
        h('td', {}, h('span', { class: 'status status-' + c.status }, c.status)),
        h('td', {}, typeof c.answer === 'string' ? c.answer : c.answer ? JSON.stringify(c.answer) : ''),
        h('td', {}, String(c.attempts ?? 0)),
        h('td', {}, `${c.issuedBy || ''}, ${c.issuedAt ? new Date(c.issuedAt).toLocaleString() : ''}`))));
      message.replaceChildren(items.length ? '' : h('p', { class: 'empty' }, 'No commands yet.'));
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
    if (!stopped) timer = setTimeout(load, EVERY_MS);
  }

  load();
  stops.push(() => {
    stopped = true;
    clearTimeout(timer);
  });
  return h('section', { class: 'commands', 'aria-labelledby': 'commands-title' },
    h('h2', { id: 'commands-title' }, 'Commands'),
    canWrite && Object.keys(type.commands || {}).length ? commandForm(id, type, load) : null,
    message,
    h('table', { class: 'device-commands' },
      h('caption', { class: 'visually-hidden' }, 'Commands sent to this controller and their status'),
      h('thead', {}, h('tr', {}, ['Command', 'Status', 'Answer', 'Attempts', 'Issued'].map(c => h('th', { scope: 'col' }, c)))),
      body));
}
