// Sensors and controllers: the types (device-types.js), the devices filtered by type and location
// (GET /devices?type=&site=&building=&room=), and for platform configurers and admins a device
// registered from the form (POST /devices), whose credentials are shown this once.
import { api } from './api.js';
import { h, show, errorBox, field } from './dom.js';
import { rowList } from './spec-lists.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';
import { typesSection } from './device-types.js';
import { deviceFilter, locationText } from './device-filter.js';
import { credentialsBox } from './device-credentials.js';

export function enabledBadge(device) {
  return h('span', { class: 'status ' + (device.enabled ? 'status-running' : 'status-failed'),
    'data-enabled': String(device.enabled) }, device.enabled ? 'enabled' : 'disabled');
}

function metadataRow({ key = '', value = '' }) {
  const name = h('input', { name: 'meta-key', autocomplete: 'off', spellcheck: 'false', value: key });
  const text = h('input', { name: 'meta-value', autocomplete: 'off', value });
  return {
    controls: [field('Key', name), field('Value', text)],
    read() {
      const trimmed = name.value.trim();
      if (!trimmed) return null;
      name.dataset.field = 'metadata.' + trimmed;
      text.dataset.field = 'metadata.' + trimmed;
      return [trimmed, text.value];
    },
  };
}

function createForm(onCreated) {
  const controls = {
    id: h('input', { name: 'device-id', required: true, autocomplete: 'off', spellcheck: 'false', 'data-field': 'id' }),
    type: h('select', { name: 'device-type', required: true, 'data-field': 'type' }),
    site: h('input', { name: 'site', autocomplete: 'off', 'data-field': 'location.site' }),
    building: h('input', { name: 'building', autocomplete: 'off', 'data-field': 'location.building' }),
    room: h('input', { name: 'room', autocomplete: 'off', 'data-field': 'location.room' }),
    lat: h('input', { name: 'lat', type: 'number', step: 'any', min: -90, max: 90, 'data-field': 'location.lat' }),
    lon: h('input', { name: 'lon', type: 'number', step: 'any', min: -180, max: 180, 'data-field': 'location.lon' }),
  };
  const metadata = rowList('metadata', 'Metadata', 'entry', metadataRow);
  const summary = h('div', { 'aria-live': 'assertive' });
  const answer = h('div', { 'aria-live': 'polite', class: 'device-answer' });
  const location = h('fieldset', { id: 'device-location', 'data-field': 'location' },
    h('legend', {}, 'Location (a site, or latitude and longitude)'),
    h('div', { class: 'resources' }, field('Site', controls.site), field('Building', controls.building),
      field('Room', controls.room), field('Latitude', controls.lat, '-90 to 90'),
      field('Longitude', controls.lon, '-180 to 180')),
    h('span', { class: 'field-error', id: 'device-location-error', role: 'alert' }));
  const form = h('form', { class: 'new-device', novalidate: true, 'aria-labelledby': 'new-device-title' },
    h('h3', { id: 'new-device-title' }, 'Register a device'),
    field('Id', controls.id, 'lower case letters, digits, ".", "_" and "-"'),
    field('Type', controls.type), location, metadata.element, summary,
    h('button', { type: 'submit', name: 'create-device' }, 'Register the device'), answer);

  function number(input) {
    return input.value.trim() === '' ? undefined : Number(input.value);
  }

  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFieldErrors(form, summary);
    answer.replaceChildren();
    const text = input => input.value.trim() || undefined;
    const entries = metadata.read();
    const request = {
      id: controls.id.value.trim(),
      type: controls.type.value,
      location: { site: text(controls.site), building: text(controls.building), room: text(controls.room),
        lat: number(controls.lat), lon: number(controls.lon) },
      metadata: entries.length ? Object.fromEntries(entries) : undefined,
    };
    try {
      const device = await api('POST', '/devices', request);
      answer.replaceChildren(
        h('p', { class: 'saved', role: 'status' }, 'Registered ',
          h('a', { href: '#/devices/' + encodeURIComponent(device.id) }, device.id), '.'),
        credentialsBox(device.id, device.credentials));
      controls.id.value = '';
      onCreated();
    } catch (e) {
      showFieldErrors(form, summary, e);
    }
  });
  return {
    element: form,
    setTypes(names) {
      const chosen = controls.type.value;
      controls.type.replaceChildren(h('option', { value: '' }, '—'),
        ...names.map(t => h('option', { value: t, selected: t === chosen }, t)));
    },
  };
}

export async function devicesPage(canWrite) {
  const body = h('tbody');
  const message = h('div', { 'aria-live': 'polite' });
  const types = typesSection(canWrite, () => reload());
  const filter = deviceFilter('devices', [], () => loadDevices());
  const create = canWrite ? createForm(() => reload()) : null;

  async function loadDevices() {
    try {
      const { items } = await api('GET', '/devices' + filter.query());
      body.replaceChildren(...items.map(d => h('tr', { 'data-device': d.id, 'data-enabled': String(d.enabled) },
        h('th', { scope: 'row' }, h('a', { href: '#/devices/' + encodeURIComponent(d.id) }, d.id)),
        h('td', {}, d.type),
        h('td', {}, locationText(d.location)),
        h('td', {}, enabledBadge(d)),
        h('td', {}, d.kind),
        h('td', {}, (d.boundTo || []).join(', ')))));
      message.replaceChildren(items.length ? ''
        : h('p', { class: 'empty' }, filter.query() ? 'No device matches the filter.' : 'No devices yet.'));
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  async function reload() {
    const names = (await types.load()).map(t => t.name);
    filter.setTypes(names);
    create?.setTypes(names);
    await loadDevices();
  }

  await reload();
  show(
    h('h1', {}, 'Devices'),
    h('p', {}, 'Sensors send readings over MQTT; controllers take commands. Apps that declare a type are bound to'
      + ' devices from their service\'s page.'),
    types.element,
    h('section', { class: 'device-list', 'aria-labelledby': 'devices-title' },
      h('h2', { id: 'devices-title' }, 'Devices'),
      filter.element, message,
      h('table', { class: 'devices' },
        h('caption', { class: 'visually-hidden' }, 'Devices and where they are'),
        h('thead', {}, h('tr', {}, ['Device', 'Type', 'Location', 'State', 'Kind', 'Bound to']
          .map(c => h('th', { scope: 'col' }, c)))),
        body),
      create?.element));
  return () => {};
}
