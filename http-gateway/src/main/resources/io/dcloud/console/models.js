// The models the caller may read (GET /models), one model's versions and latest config
// (GET /models/{name}), a new version pushed (model, contract and config files), and a version
// deployed as the model's service (POST /models/{name}/deploy), whose page is shown next.
import { api } from './api.js';
import { h, show, errorBox } from './dom.js';
import { sizeText } from './dataset-upload.js';
import { partsUploadForm } from './parts-upload.js';
import { deleteWhole } from './artifact-delete.js';

const PARTS = [
  { name: 'model', label: 'Model', accept: '.joblib,.pkl,.pt', hint: 'a scikit-learn estimator (.joblib, .pkl) or a TorchScript module (.pt)' },
  { name: 'contract', label: 'Contract', accept: '.py,text/x-python', hint: 'contract.py with preprocess and postprocess' },
  { name: 'config', label: 'Config', accept: '.json,.yaml,.yml', hint: 'JSON or YAML: name, runtime, resources, replicas, batching' },
];

export async function modelsPage() {
  const body = h('tbody');
  const message = h('div', { 'aria-live': 'polite' });
  const versions = h('section', { class: 'model-versions', 'aria-live': 'polite' });

  async function load() {
    try {
      const { models } = await api('GET', '/models');
      body.replaceChildren(...models.map(m => h('tr', { 'data-model': m.name, 'data-version': m.version },
        h('th', { scope: 'row' }, h('button', { type: 'button', class: 'link', name: 'versions',
          'aria-label': `Versions of ${m.name}`, onclick: () => showVersions(m.name) }, m.name)),
        h('td', {}, `version ${m.version}`),
        h('td', {}, h('button', { type: 'button', name: 'deploy', 'aria-label': `Deploy ${m.name} version ${m.version}`,
          onclick: () => deploy(m.name, m.version) }, 'Deploy')),
        h('td', {}, m.owner || ''),
        h('td', {}, sizeText(m.size)),
        h('td', {}, m.createdAt ? new Date(m.createdAt).toLocaleString() : ''),
        h('td', {}, h('button', { type: 'button', name: 'delete-model', class: 'danger', 'aria-label': `Delete ${m.name}`,
          onclick: () => remove(m.name) }, 'Delete')))));
      message.replaceChildren(models.length ? '' : h('p', { class: 'empty' }, 'No models yet.'));
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  async function remove(name) {
    try {
      if (!await deleteWhole('model', name, `models/${name}/bundle`, said => message.replaceChildren(said))) return;
      versions.replaceChildren();
      await load();
      message.append(h('p', { class: 'saved', role: 'status' }, `Model ${name} deleted.`));
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  async function showVersions(name) {
    try {
      const model = await api('GET', '/models/' + encodeURIComponent(name));
      versions.dataset.model = name;
      versions.replaceChildren(
        h('h2', { id: 'model-versions-title' }, `Versions of ${name}`),
        h('table', { class: 'versions', 'aria-labelledby': 'model-versions-title' },
          h('thead', {}, h('tr', {}, ['Version', 'Deploy', 'By', 'Size', 'Uploaded'].map(c => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, [...model.versions].reverse().map(v => h('tr', { 'data-version': v.version },
            h('th', { scope: 'row' }, `version ${v.version}`),
            h('td', {}, h('button', { type: 'button', name: 'deploy-version', 'aria-label': `Deploy ${name} version ${v.version}`,
              onclick: () => deploy(name, v.version) }, 'Deploy')),
            h('td', {}, v.createdBy || ''),
            h('td', {}, sizeText(v.size)),
            h('td', {}, v.createdAt ? new Date(v.createdAt).toLocaleString() : ''))))),
        h('h3', {}, 'Latest config'),
        h('pre', { class: 'model-config', tabindex: 0 }, JSON.stringify(model.config, null, 2)));
    } catch (e) {
      versions.replaceChildren(errorBox(e));
    }
  }

  /** Creates the model's service, or rolls it to this version: either way its page shows how it goes. */
  async function deploy(name, version) {
    message.replaceChildren(h('p', { role: 'status' }, `Deploying ${name} version ${version}…`));
    try {
      const service = await api('POST', `/models/${encodeURIComponent(name)}/deploy`, { version });
      location.hash = '#/services/' + encodeURIComponent(service.name || name);
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  await load();
  show(
    h('h1', {}, 'Models'),
    message,
    h('table', { class: 'models' },
      h('caption', { class: 'visually-hidden' }, 'The models you may read, with their latest version'),
      h('thead', {}, h('tr', {}, ['Model', 'Latest', 'Deploy', 'Owner', 'Size', 'Uploaded', ''].map(c => h('th', { scope: 'col' }, c)))),
      body),
    versions,
    partsUploadForm({ css: 'model-push', title: 'Push a model version', path: '/models', parts: PARTS, button: 'Push' },
      (pushed, said) => {
        said.replaceChildren(h('p', { class: 'saved', role: 'status' },
          `${pushed.name} version ${pushed.version}: ${sizeText(pushed.size)}, sha256 ${pushed.sha256}`));
        load().then(() => showVersions(pushed.name));
      }));
  return () => {};
}
