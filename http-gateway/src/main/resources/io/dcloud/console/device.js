// One device: its type, location, metadata and activity (readings accepted and rejected, the last
// rejection's reason; asked again every few seconds), for platform configurers and admins disable,
// enable, rotate its credentials and delete; its readings (device-readings.js) and, for a controller,
// its commands (device-commands.js).
import { api } from './api.js';
import { h, show, errorBox, confirmDialog } from './dom.js';
import { enabledBadge } from './devices.js';
import { locationText } from './device-filter.js';
import { credentialsBox } from './device-credentials.js';
import { readingsSection } from './device-readings.js';
import { commandsSection } from './device-commands.js';

const EVERY_MS = 3000;

function when(instant) {
  return instant ? new Date(instant).toLocaleString() : 'never';
}

export async function devicePage(id, canWrite) {
  const path = '/devices/' + encodeURIComponent(id);
  const first = await api('GET', path);
  // The type's fields draw the charts and its commands make the command form.
  const type = await api('GET', '/sensor-types/' + encodeURIComponent(first.type));
  const stops = [];
  const article = h('article', { class: 'device', 'data-device': id });
  const facts = h('dl', { class: 'facts' });
  const activity = h('dl', { class: 'facts activity' });
  const actions = h('div', { class: 'actions' });
  const message = h('div', { 'aria-live': 'polite' });
  const secret = h('div', { 'aria-live': 'polite' });
  let timer = null;
  let stopped = false;

  function render(device) {
    const a = device.activity || {};
    article.dataset.enabled = String(device.enabled);
    article.dataset.accepted = a.accepted ?? 0;
    article.dataset.rejected = a.rejected ?? 0;
    const metadata = Object.entries(device.metadata || {});
    facts.replaceChildren(
      h('dt', {}, 'Type'), h('dd', {}, `${device.type} (${device.kind})`),
      h('dt', {}, 'State'), h('dd', {}, enabledBadge(device)),
      h('dt', {}, 'Location'), h('dd', { class: 'device-location' }, locationText(device.location)),
      h('dt', {}, 'Username'), h('dd', {}, device.username || ''),
      ...(metadata.length ? [h('dt', {}, 'Metadata'), h('dd', { class: 'device-metadata' },
        metadata.map(([k, v]) => `${k}=${v}`).join(', '))] : []),
      h('dt', {}, 'Bound to'), h('dd', {}, (device.boundTo || []).join(', ') || 'no service'),
      h('dt', {}, 'Registered'), h('dd', {}, `${when(device.createdAt)} by ${device.createdBy || ''}`));
    activity.replaceChildren(
      h('dt', {}, 'Accepted'), h('dd', { class: 'accepted' }, `${a.accepted ?? 0} readings, the last ${when(a.lastReadingAt)}`),
      h('dt', {}, 'Rejected'), h('dd', { class: 'rejected' }, `${a.rejected ?? 0} readings, the last ${when(a.lastRejectedAt)}`),
      ...(a.lastRejectionReason ? [h('dt', {}, 'Why the last was rejected'),
        h('dd', { class: 'rejection-reason error' }, a.lastRejectionReason)] : []));
    // Rebuilt only when the state changes: a refresh must not take the keyboard's focus off a button.
    if (actions.dataset.enabled === String(device.enabled)) return;
    actions.dataset.enabled = String(device.enabled);
    actions.replaceChildren(...(canWrite ? [
      device.enabled
        ? h('button', { type: 'button', name: 'disable', onclick: () => change('disable') }, 'Disable')
        : h('button', { type: 'button', name: 'enable', onclick: () => change('enable') }, 'Enable'),
      h('button', { type: 'button', name: 'rotate', onclick: rotate }, 'Rotate the credentials'),
      h('button', { type: 'button', name: 'delete', class: 'danger', onclick: remove }, 'Delete'),
    ] : []));
  }

  async function change(what) {
    try {
      render(await api('POST', `${path}/${what}`));
      message.replaceChildren();
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  async function rotate() {
    if (!await confirmDialog(`Rotate the credentials of ${id}? Its present password stops working.`, 'Rotate')) return;
    try {
      secret.replaceChildren(credentialsBox(id, await api('POST', `${path}/credentials`)));
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  async function remove() {
    if (!await confirmDialog(`Delete the device ${id}? Its credentials stop working and its bindings lose it.`, 'Delete')) return;
    try {
      await api('DELETE', path);
      location.hash = '#/devices';
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  async function refresh() {
    try {
      render(await api('GET', path));
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
    if (!stopped) timer = setTimeout(refresh, EVERY_MS);
  }

  render(first);
  article.replaceChildren(...[
    h('h1', {}, 'Device ', id),
    h('p', {}, h('a', { href: '#/devices' }, 'All devices')),
    facts, actions, message, secret,
    h('section', { 'aria-labelledby': 'activity-title' }, h('h2', { id: 'activity-title' }, 'Activity'), activity),
    // A controller may report fields too; one that reports none has no readings to show.
    Object.keys(type.fields || {}).length ? readingsSection(id, type, stops) : null,
    first.kind === 'controller' ? commandsSection(id, type, canWrite, stops) : null,
  ].filter(Boolean));
  show(article);
  timer = setTimeout(refresh, EVERY_MS);
  stops.push(() => {
    stopped = true;
    clearTimeout(timer);
  });
  return () => stops.forEach(stop => stop());
}
