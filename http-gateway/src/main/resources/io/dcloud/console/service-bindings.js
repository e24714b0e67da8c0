// A service's device bindings: the types its app declares (bindings: [{type, min, max}]), the
// caller's bindings (GET /services/{name}/bindings; the owner and admins see all) with unbind, and
// "Bind devices": devices picked by type and location, sent as one binding (POST …/bindings), the
// API's refusal shown beside the device list.
import { api } from './api.js';
import { h, errorBox, confirmDialog } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';
import { deviceFilter, locationText } from './device-filter.js';

function slotText(slot) {
  return `${slot.type}: ${slot.min === slot.max ? slot.min : `${slot.min} to ${slot.max}`} per binding`;
}

/** The form: a filter, the matching devices as checkboxes (the chosen stay chosen across filters), and bind. */
function bindForm(name, slots, onBound) {
  const chosen = new Set();
  const types = slots.map(s => s.type);
  const choices = h('div', { class: 'device-choices' });
  const picked = h('p', { class: 'picked', role: 'status' });
  const devices = h('fieldset', { id: 'bind-devices', class: 'list', 'data-field': 'devices' },
    h('legend', {}, 'Devices'), choices, picked,
    h('span', { class: 'field-error', id: 'bind-devices-error', role: 'alert' }));
  const summary = h('div', { 'aria-live': 'assertive' });
  const filter = deviceFilter('bind', types, () => list());

  function showPicked() {
    picked.textContent = chosen.size ? `Chosen: ${[...chosen].join(', ')}` : 'No device chosen yet.';
  }

  async function list() {
    try {
      const { items } = await api('GET', '/devices' + filter.query());
      const usable = items.filter(d => types.includes(d.type));
      choices.replaceChildren(...usable.map(d => {
        const box = h('input', { type: 'checkbox', name: 'bind-device', value: d.id, id: 'bind-' + d.id,
          checked: chosen.has(d.id) });
        box.addEventListener('change', () => {
          if (box.checked) chosen.add(d.id);
          else chosen.delete(d.id);
          showPicked();
        });
        return h('div', { class: 'choice', 'data-device': d.id }, box,
          h('label', { for: box.id }, `${d.id} (${d.type}, ${locationText(d.location)}${d.enabled ? '' : ', disabled'})`));
      }));
      if (!usable.length) choices.append(h('p', { class: 'empty' }, 'No device of the declared types matches the filter.'));
    } catch (e) {
      choices.replaceChildren(errorBox(e));
    }
  }

  const form = h('form', { class: 'bind-devices', novalidate: true, 'aria-labelledby': 'bind-devices-title' },
    h('h3', { id: 'bind-devices-title' }, 'Bind devices'), devices, summary,
    h('button', { type: 'submit', name: 'bind' }, 'Bind the chosen devices'));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFieldErrors(form, summary);
    try {
      await api('POST', `/services/${encodeURIComponent(name)}/bindings`, { devices: [...chosen] });
      chosen.clear();
      showPicked();
      await list();
      onBound();
    } catch (e) {
      showFieldErrors(form, summary, e);
    }
  });
  showPicked();
  list();
  // The filter is a form of its own (its Show button), before the one that binds.
  return h('div', { class: 'bind' }, filter.element, form);
}

/** For a service whose app declares device types (service.bindings). */
export function bindingsSection(service) {
  const name = service.name;
  const slots = service.bindings;
  const body = h('tbody');
  const message = h('div', { 'aria-live': 'polite' });

  async function unbind(id) {
    if (!await confirmDialog(`Unbind ${id}? The app stops receiving its devices' readings at once.`, 'Unbind')) return;
    try {
      await api('DELETE', `/services/${encodeURIComponent(name)}/bindings/${encodeURIComponent(id)}`);
      await load();
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  async function load() {
    try {
      const { items } = await api('GET', `/services/${encodeURIComponent(name)}/bindings`);
      body.replaceChildren(...items.map(b => h('tr', { 'data-binding': b.id },
        h('th', { scope: 'row' }, b.id),
        h('td', { class: 'binding-devices' }, (b.devices || []).join(', ')),
        h('td', {}, h('button', { type: 'button', class: 'link', name: 'unbind', 'aria-label': `Unbind ${b.id}`,
          onclick: () => unbind(b.id) }, 'Unbind')),
        h('td', {}, b.owner || ''),
        h('td', {}, b.createdAt ? new Date(b.createdAt).toLocaleString() : ''))));
      message.replaceChildren(items.length ? '' : h('p', { class: 'empty' }, 'No bindings yet.'));
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  load();
  return h('section', { class: 'device-bindings', 'aria-labelledby': 'device-bindings-title' },
    h('h2', { id: 'device-bindings-title' }, 'Device bindings'),
    h('p', { class: 'slots' }, 'The app consumes ' + slots.map(slotText).join('; ') + '.'),
    message,
    h('table', { class: 'bindings' },
      h('caption', { class: 'visually-hidden' }, `Device bindings of ${name}`),
      h('thead', {}, h('tr', {}, ['Binding', 'Devices', 'Actions', 'Owner', 'Created'].map(c => h('th', { scope: 'col' }, c)))),
      body),
    bindForm(name, slots, load));
}
