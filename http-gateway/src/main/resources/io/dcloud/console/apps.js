// The caller's apps (GET /apps) and an app pushed (POST /apps: its source archive and its config),
// which becomes the next source version and creates or updates the app's service. Deleting an app
// deletes its service, then its source once the replicas that mount it have stopped (as dcloud apps rm).
import { api } from './api.js';
import { h, show, errorBox } from './dom.js';
import { deleteWhole } from './artifact-delete.js';
import { partsUploadForm } from './parts-upload.js';

const PARTS = [
  { name: 'source', label: 'Source archive', accept: '.tar,.tar.gz,.tgz,.zip', hint: 'the app\'s files: .tar, .tar.gz, .tgz or .zip' },
  { name: 'config', label: 'Config', accept: '.json,.yaml,.yml',
    hint: 'JSON or YAML: name, runtime, command, port, replicas, resources, readiness, env' },
];

/** The latest source version of a listed app, however the listing spells it. */
function latestVersion(app) {
  return app.version ?? app.latest?.version ?? (Array.isArray(app.versions) ? app.versions.at(-1)?.version : app.versions);
}

export async function appsPage() {
  const body = h('tbody');
  const message = h('div', { 'aria-live': 'polite' });

  async function load() {
    try {
      const answer = await api('GET', '/apps');
      const apps = Array.isArray(answer) ? answer : answer.apps || [];
      body.replaceChildren(...apps.map(a => h('tr', { 'data-app': a.name },
        h('th', { scope: 'row' }, a.name),
        h('td', {}, latestVersion(a) === undefined ? '' : `source version ${latestVersion(a)}`),
        h('td', {}, h('a', { href: '#/services/' + encodeURIComponent(a.name), 'aria-label': `The service of ${a.name}` },
          'Service')),
        h('td', {}, a.owner || ''),
        h('td', {}, h('button', { type: 'button', name: 'delete-app', class: 'danger', 'aria-label': `Delete ${a.name}`,
          onclick: () => remove(a.name) }, 'Delete')))));
      message.replaceChildren(apps.length ? '' : h('p', { class: 'empty' }, 'No apps yet.'));
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  async function remove(name) {
    try {
      if (!await deleteWhole('app', name, `apps/${name}/source`, said => message.replaceChildren(said))) return;
      await load();
      message.append(h('p', { class: 'saved', role: 'status' }, `App ${name} deleted.`));
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  await load();
  show(
    h('h1', {}, 'Apps'),
    message,
    h('table', { class: 'apps' },
      h('caption', { class: 'visually-hidden' }, 'Your apps and their latest source version'),
      h('thead', {}, h('tr', {}, ['App', 'Source', 'Service', 'Owner', ''].map(c => h('th', { scope: 'col' }, c)))),
      body),
    partsUploadForm({ css: 'app-push', title: 'Push an app', path: '/apps', parts: PARTS, button: 'Push' }, (pushed, said) => {
      said.replaceChildren(h('p', { class: 'saved', role: 'status' }, `${pushed.name} source version ${pushed.version}: `,
        h('a', { href: '#/services/' + encodeURIComponent(pushed.name) }, `its service, version ${pushed.service?.version}`)));
      load();
    }));
  return () => {};
}
