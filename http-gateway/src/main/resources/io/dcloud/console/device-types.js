// Sensor and controller types (GET /sensor-types): the list everyone reads, and for platform
// configurers and admins the create form (POST /sensor-types) with rows of fields and of commands,
// each command with rows of its parameters, and delete (refused while devices use the type).
import { api } from './api.js';
import { h, field, errorBox, confirmDialog } from './dom.js';
import { rowList } from './spec-lists.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';

export const VALUE_TYPES = ['number', 'integer', 'boolean', 'string'];

/** "number °C, 0..100" */
export function describeValue(spec) {
  const range = spec.min !== undefined && spec.min !== null || spec.max !== undefined && spec.max !== null
    ? `, ${spec.min ?? '…'}..${spec.max ?? '…'}` : '';
  return `${String(spec.type).toLowerCase()}${spec.unit ? ' ' + spec.unit : ''}${range}`;
}

function describeType(type) {
  const fields = Object.entries(type.fields || {}).map(([name, spec]) => `${name}: ${describeValue(spec)}`);
  const commands = Object.entries(type.commands || {}).map(([name, spec]) =>
    `${name}(${Object.entries(spec.params || {}).map(([p, s]) => `${p}: ${describeValue(s)}`).join(', ')})`);
  return [fields.length ? 'Fields: ' + fields.join('; ') : null, commands.length ? 'Commands: ' + commands.join('; ') : null]
    .filter(Boolean).join('. ');
}

/** A number input's value, or undefined when empty (the contract's optional min/max). */
function numberOrNone(input) {
  return input.value.trim() === '' ? undefined : Number(input.value);
}

/**
 * One value's row (a reading's field or a command's parameter): name, type, unit, min, max; its
 * controls named after the contract's path (prefix.name.type…) when read, so errors land beside them.
 */
function valueRow(prefix, noun) {
  return () => {
    const name = h('input', { name: `${noun}-name`, autocomplete: 'off', spellcheck: 'false' });
    const type = h('select', { name: `${noun}-type` }, VALUE_TYPES.map(t => h('option', { value: t }, t)));
    const unit = h('input', { name: `${noun}-unit`, autocomplete: 'off', placeholder: 'e.g. °C' });
    const min = h('input', { name: `${noun}-min`, type: 'number', step: 'any' });
    const max = h('input', { name: `${noun}-max`, type: 'number', step: 'any' });
    return {
      controls: [field('Name', name), field('Type', type), field('Unit', unit), field('Min', min), field('Max', max)],
      read() {
        const key = name.value.trim();
        if (!key) return null;
        const path = `${prefix()}.${key}`;
        name.dataset.field = path;
        type.dataset.field = path + '.type';
        unit.dataset.field = path + '.unit';
        min.dataset.field = path + '.min';
        max.dataset.field = path + '.max';
        return [key, { type: type.value, unit: unit.value.trim() || undefined, min: numberOrNone(min), max: numberOrNone(max) }];
      },
    };
  };
}

let commandRows = 0;

/** A command's row: its name and its own list of parameters. */
function commandRow() {
  const name = h('input', { name: 'command-name', autocomplete: 'off', spellcheck: 'false' });
  let key = '';
  const params = rowList(`command-params-${++commandRows}`, 'Parameters', 'parameter',
    valueRow(() => `commands.${key}.params`, 'param'));
  return {
    controls: [field('Command', name), params.element],
    read() {
      key = name.value.trim();
      if (!key) return null;
      name.dataset.field = `commands.${key}`;
      const read = params.read();
      params.element.dataset.field = `commands.${key}.params`;
      return [key, { params: Object.fromEntries(read) }];
    },
  };
}

function createForm(onCreated) {
  const name = h('input', { name: 'type-name', required: true, autocomplete: 'off', spellcheck: 'false', 'data-field': 'name' });
  const kind = h('select', { name: 'kind', 'data-field': 'kind' },
    h('option', { value: 'sensor' }, 'sensor'), h('option', { value: 'controller' }, 'controller'));
  const fields = rowList('fields', 'Fields of a reading', 'field', valueRow(() => 'fields', 'field'));
  const commands = rowList('commands', 'Commands', 'command', commandRow);
  const summary = h('div', { 'aria-live': 'assertive' });
  const saved = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'new-type', novalidate: true, 'aria-labelledby': 'new-type-title' },
    h('h3', { id: 'new-type-title' }, 'Register a type'),
    field('Name', name, 'lower case letters, digits, ".", "_" and "-"'),
    field('Kind', kind, 'a sensor sends readings of its fields; a controller takes commands'),
    fields.element, commands.element, summary, saved,
    h('button', { type: 'submit', name: 'create-type' }, 'Register the type'));
  fields.add();
  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFieldErrors(form, summary);
    saved.replaceChildren();
    const request = {
      name: name.value.trim(),
      kind: kind.value,
      fields: Object.fromEntries(fields.read()),
      commands: Object.fromEntries(commands.read()),
    };
    try {
      const type = await api('POST', '/sensor-types', request);
      saved.replaceChildren(h('p', { class: 'saved', role: 'status' }, `Registered the type ${type.name}.`));
      name.value = '';
      fields.clear();
      commands.clear();
      fields.add();
      onCreated();
    } catch (e) {
      showFieldErrors(form, summary, e);
    }
  });
  return form;
}

/**
 * The types' section; load() reads them again and answers them (the devices' filters and form
 * offer their names).
 */
export function typesSection(canWrite, onChanged) {
  const body = h('tbody');
  const message = h('div', { 'aria-live': 'polite' });

  async function remove(name) {
    if (!await confirmDialog(`Delete the type ${name}?`, 'Delete')) return;
    try {
      await api('DELETE', '/sensor-types/' + encodeURIComponent(name));
      onChanged();
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  async function load() {
    try {
      const { items } = await api('GET', '/sensor-types');
      body.replaceChildren(...items.map(t => h('tr', { 'data-type': t.name, 'data-kind': t.kind },
        h('th', { scope: 'row' }, t.name),
        h('td', {}, t.kind),
        // Actions third: a phone's narrow table shows the first three columns.
        canWrite ? h('td', {}, h('button', { type: 'button', class: 'link', name: 'delete-type',
          'aria-label': `Delete the type ${t.name}`, onclick: () => remove(t.name) }, 'Delete')) : null,
        h('td', {}, String(t.devices ?? 0)),
        h('td', { class: 'type-spec' }, describeType(t)))));
      message.replaceChildren(items.length ? '' : h('p', { class: 'empty' }, 'No types yet.'));
      return items;
    } catch (e) {
      message.replaceChildren(errorBox(e));
      return [];
    }
  }

  const element = h('section', { class: 'device-types', 'aria-labelledby': 'types-title' },
    h('h2', { id: 'types-title' }, 'Types'), message,
    h('table', { class: 'types' },
      h('caption', { class: 'visually-hidden' }, 'Sensor and controller types'),
      h('thead', {}, h('tr', {}, ['Type', 'Kind', canWrite ? 'Actions' : null, 'Devices', 'Fields and commands']
        .filter(Boolean).map(c => h('th', { scope: 'col' }, c)))),
      body),
    canWrite ? createForm(onChanged) : null);
  return { element, load };
}
