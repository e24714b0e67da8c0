// The services the caller may see (GET /services): kind, version and how many replicas are ready of
// those wanted, asked again every few seconds (readiness is not on the event stream); a new one from
// its definition.
import { api } from './api.js';
import { h, show, errorBox } from './dom.js';

/** Often enough to watch a roll or a scale happen, rarely enough for a list that asks every service. */
const EVERY_MS = 3000;

/** "ready/desired", with the count in data-ready for whoever reads the page by machine. */
export function readyText(service) {
  const ready = (service.replicas || []).filter(r => r.ready).length;
  return h('span', { class: 'ready', 'data-ready': ready, 'data-desired': service.desiredReplicas },
    `${ready}/${service.desiredReplicas} ready`);
}

export async function servicesPage() {
  const body = h('tbody');
  const message = h('div', { 'aria-live': 'polite' });
  let timer = null;
  let stopped = false;

  async function load() {
    try {
      const { services } = await api('GET', '/services');
      body.replaceChildren(...services.map(s => h('tr', { 'data-service': s.name },
        h('th', { scope: 'row' }, h('a', { href: '#/services/' + encodeURIComponent(s.name) }, s.name)),
        h('td', {}, s.kind),
        h('td', {}, readyText(s)),
        h('td', {}, `version ${s.version}`),
        h('td', {}, s.owner || ''))));
      message.replaceChildren(services.length ? '' : h('p', { class: 'empty' }, 'No services yet.'));
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
    if (!stopped) timer = setTimeout(load, EVERY_MS);
  }

  await load();
  // Loaded with the page, not the console: the first page's assets stay within their budget.
  const { newServiceForm } = await import('./service-new.js');
  show(
    h('h1', {}, 'Services'),
    h('p', {}, 'Apps and models served by replicas. Push an app on ', h('a', { href: '#/apps' }, 'Apps'),
      ', deploy a model on ', h('a', { href: '#/models' }, 'Models'), '.'),
    message,
    h('table', { class: 'services' },
      h('caption', { class: 'visually-hidden' }, 'Your services and their ready replicas'),
      h('thead', {}, h('tr', {}, ['Service', 'Kind', 'Replicas', 'Version', 'Owner'].map(c => h('th', { scope: 'col' }, c)))),
      body),
    newServiceForm(made => {
      location.hash = '#/services/' + encodeURIComponent(made.name);
    }));
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
