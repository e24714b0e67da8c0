// One service: its facts, its replicas (each links to its environment's page), scale, autoscaling,
// batching (a model's), a roll to a new version, its calls' charts, "try it", its replicas' logs,
// restart and delete. The view is asked again every 2 s, so that a scale, a rolling update or an
// autoscaled service's load is watched as it happens.
import { api } from './api.js';
import { h, show, errorBox, confirmDialog } from './dom.js';
import { statusBadge } from './environments.js';
import { readyText } from './services.js';
import { scaleForm, batchingForm } from './service-forms.js';
import { autoscalingSection } from './service-autoscaling.js';
import { serviceStatsSection } from './service-stats.js';
import { tryItSection } from './service-try.js';
import { bindingsSection } from './service-bindings.js';

const EVERY_MS = 2000;

export async function servicePage(name) {
  const path = '/services/' + encodeURIComponent(name);
  let service = await api('GET', path);
  const stops = [];
  const article = h('article', { class: 'service', 'data-service': name });
  const facts = h('dl', { class: 'facts' });
  const body = h('tbody');
  const message = h('div', { 'aria-live': 'polite' });
  const scale = scaleForm(name, render);
  const autoscaling = autoscalingSection(name, render);
  const batching = batchingForm(name, render);
  let timer = null;
  let stopped = false;

  function render(changed) {
    service = changed;
    article.dataset.version = service.version;
    article.dataset.ready = service.replicas.filter(r => r.ready).length;
    facts.replaceChildren(
      h('dt', {}, 'Kind'), h('dd', {}, service.kind),
      h('dt', {}, 'Owner'), h('dd', {}, service.owner || ''),
      h('dt', {}, 'Version'), h('dd', {}, String(service.version)),
      h('dt', {}, 'Replicas'), h('dd', {}, readyText(service)),
      h('dt', {}, 'Port'), h('dd', {}, String(service.port)),
      h('dt', {}, 'Readiness'), h('dd', {}, service.readiness?.path || ''),
      h('dt', {}, 'Rolls'), h('dd', { 'data-surge': service.surge }, service.surge === 0
        ? 'an old replica deleted before its replacement (surge 0)' : 'a new replica added before an old one goes (surge 1)'),
      h('dt', {}, 'Spread'), h('dd', { 'data-spread': service.spread }, service.spread === 'required'
        ? 'each replica on a node that runs no other (required)' : 'as far apart as the cluster allows (preferred)'),
      ...(service.kind === 'model' ? [h('dt', {}, 'Batching'), h('dd', {}, service.batching
        ? `up to ${service.batching.maxSize} instances, waiting at most ${service.batching.maxWaitMs} ms` : 'off')] : []));
    body.replaceChildren(...service.replicas.map(r => h('tr', { 'data-replica': r.id, 'data-ready': String(r.ready) },
      h('th', { scope: 'row' }, h('a', { href: '#/environments/' + encodeURIComponent(r.id) }, r.id)),
      h('td', {}, statusBadge(r.status), r.reason ? h('span', { class: 'reason' }, r.reason) : null),
      h('td', {}, r.ready ? 'ready' : 'not ready'),
      h('td', {}, r.node || '—'),
      h('td', {}, `version ${r.version}`))));
    scale.fill(service);
    autoscaling.fill(service);
    batching.fill(service);
  }

  async function refresh() {
    try {
      render(await api('GET', path));
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
    if (!stopped) timer = setTimeout(refresh, EVERY_MS);
  }

  // The form loads on first use: the first page's assets stay within their budget.
  const nextVersion = h('section', { class: 'next-version-section' },
    h('button', { type: 'button', name: 'next-version', onclick: async () => {
      try {
        const { nextVersionForm } = await import('./service-new.js');
        nextVersion.replaceChildren(await nextVersionForm(service, render));
      } catch (e) {
        message.replaceChildren(errorBox(e));
      }
    } }, 'Roll to a new version…'));

  // The logs' section loads on first use too.
  const logs = h('section', { class: 'service-logs-section' },
    h('button', { type: 'button', name: 'open-logs', onclick: async () => {
      try {
        const { serviceLogsSection } = await import('./service-logs.js');
        logs.replaceWith(serviceLogsSection(() => service.replicas, stops));
      } catch (e) {
        message.replaceChildren(errorBox(e));
      }
    } }, 'Logs of every replica…'));

  /** Every replica replaced, one at a time (as `kubectl rollout restart`): the table shows the roll. */
  async function restart() {
    if (!await confirmDialog(`Restart ${name}? Each replica is replaced by a new one, one at a time.`, 'Restart')) return;
    try {
      const restarted = await api('POST', path + '/restart');
      render(restarted);
      message.replaceChildren(h('p', { class: 'saved' }, `Restarting: version ${restarted.version} rolls.`));
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  async function remove() {
    if (!await confirmDialog(`Delete the service ${name}? Its replicas are deleted.`, 'Delete')) return;
    try {
      await api('DELETE', path);
      location.hash = '#/services';
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  render(service);
  // replaceChildren writes a null as the text "null": an app's missing batching form is filtered out.
  article.replaceChildren(...[
    h('h1', {}, 'Service ', name),
    h('p', {}, h('a', { href: '#/services' }, 'All services')),
    facts, message,
    h('section', { 'aria-labelledby': 'replicas-title' }, h('h2', { id: 'replicas-title' }, 'Replicas'),
      h('table', { class: 'replicas' },
        h('caption', { class: 'visually-hidden' }, `The replicas of ${name}`),
        h('thead', {}, h('tr', {}, ['Environment', 'Status', 'Ready', 'Node', 'Version'].map(c => h('th', { scope: 'col' }, c)))),
        body)),
    scale.element,
    autoscaling.element,
    service.kind === 'model' ? batching.element : null,
    nextVersion,
    serviceStatsSection(name, stops),
    tryItSection(service),
    logs,
    service.bindings?.length ? bindingsSection(service) : null,
    h('div', { class: 'actions' }, h('button', { type: 'button', name: 'restart', onclick: restart }, 'Restart'),
      h('button', { type: 'button', name: 'delete', class: 'danger', onclick: remove }, 'Delete')),
  ].filter(Boolean));
  show(article);
  timer = setTimeout(refresh, EVERY_MS);
  stops.push(() => {
    stopped = true;
    clearTimeout(timer);
  });
  return () => stops.forEach(stop => stop());
}
