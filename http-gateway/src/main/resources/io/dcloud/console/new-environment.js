// The new-environment form: OS, languages and libraries from the catalog, resources (a GPU model
// from the nodes' GPUs), ports, volumes, variables, datasets and command; controls named after the
// config contract's fields; the API's field errors beside them, live from a dry run that also
// previews the request. A template or an uploaded JSON/YAML config fills it in; #/new/{template}
// opens it filled from that template.
import { api, idempotencyKey } from './api.js';
import { h, show, errorBox, field } from './dom.js';
import { toSpec, fromSpec } from './spec-form.js';
import { specLists } from './spec-lists.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';
import { dryRunPreview } from './dry-run.js';

/** The GPU models the nodes have; none when the caller may not list the nodes (the model is then typed in). */
async function gpuModels() {
  try {
    const names = (await api('GET', '/nodes')).nodes.flatMap(n => n.capacity?.gpus || []).map(g => g.name);
    return [...new Set(names.filter(Boolean))].sort();
  } catch {
    return [];
  }
}

/** The ids of the datasets the caller can read (none where the store answers nothing). */
async function readableDatasets() {
  try {
    return (await api('GET', '/datasets')).datasets.map(d => d.dataset);
  } catch {
    return [];
  }
}

export async function newEnvironmentPage(templateName) {
  const [catalog, templates, models, datasets] = await Promise.all([api('GET', '/catalog'), api('GET', '/templates'),
    gpuModels(), readableDatasets()]);
  const byOs = new Map(catalog.map(entry => [entry.os, entry]));
  const controls = {
    name: h('input', { name: 'env-name', required: true, pattern: '[A-Za-z0-9][A-Za-z0-9_.\\-]*', maxlength: 63,
      'data-field': 'env-name' }),
    os: h('select', { name: 'os', required: true, 'data-field': 'os' },
      catalog.map(entry => h('option', { value: entry.os }, `${entry.os} (${entry['base-image']})`))),
    ram: h('input', { name: 'ram', placeholder: '2G', 'data-field': 'resources.ram' }),
    cpu: h('input', { name: 'cpu', placeholder: '1', 'data-field': 'resources.cpu' }),
    gpu: h('input', { name: 'gpu', type: 'number', min: 0, step: 1, placeholder: '0', 'data-field': 'resources.gpu' }),
    gpuModel: h('input', { name: 'gpu-model', list: 'gpu-models', placeholder: 'any', 'data-field': 'resources.gpu-model' }),
    storage: h('input', { name: 'storage', placeholder: '10G', 'data-field': 'resources.storage' }),
    ports: h('input', { name: 'ports', placeholder: '8888, 8000', 'data-field': 'port-publish' }),
    command: h('input', { name: 'command', placeholder: 'sleep infinity', 'data-field': 'command' }),
    idleTimeout: h('input', { name: 'idle-timeout', placeholder: '30m', 'data-field': 'idle-timeout' }),
    maxRuntime: h('input', { name: 'max-runtime', placeholder: '8h', 'data-field': 'max-runtime' }),
  };
  const languages = h('div', { class: 'languages' });
  const summary = h('div', { 'aria-live': 'assertive' });
  const template = h('select', { name: 'template' }, h('option', { value: '' }, '—'),
    templates.templates.map(t => h('option', { value: t.name }, t.name + (t.description ? ' — ' + t.description : ''))));
  const upload = h('input', { type: 'file', name: 'config-file', accept: '.json,.yaml,.yml,application/json,application/yaml' });
  const lists = specLists(datasets);
  let extra = {};

  function languageRow(chosen = {}) {
    const entry = byOs.get(controls.os.value) || { specifications: {} };
    const names = Object.keys(entry.specifications || {});
    const index = languages.children.length;
    const language = h('select', { name: 'language-name', 'data-field': `languages[${index}].language-name` },
      h('option', { value: '' }, '—'), names.map(n => h('option', { value: n, selected: n === chosen['language-name'] }, n)));
    const libraries = h('select', { name: 'libraries', multiple: true, size: 5, 'data-field': `languages[${index}].libraries` });
    const fill = () => libraries.replaceChildren(...Object.keys(entry.specifications?.[language.value]?.libraries || {})
      .map(l => h('option', { value: l, selected: (chosen.libraries || []).includes(l) }, l)));
    language.addEventListener('change', fill);
    fill();
    const remove = h('button', { type: 'button', class: 'link', onclick: () => {
      row.remove();
      languages.dispatchEvent(new Event('change', { bubbles: true }));
    } }, `Remove language ${index + 1}`);
    const row = h('fieldset', { class: 'language' }, h('legend', {}, `Language ${index + 1}`),
      field('Language', language), field('Libraries', libraries, 'Ctrl/⌘-click to choose several'), remove);
    languages.append(row);
  }

  function fill(spec) {
    extra = fromSpec(spec, controls, lists);
    languages.replaceChildren();
    (spec.languages || []).forEach(languageRow);
    if (!languages.children.length) languageRow();
  }
  const request = () => toSpec(controls, languages, extra, lists);

  controls.os.addEventListener('change', () => {
    languages.replaceChildren();
    languageRow();
  });
  template.addEventListener('change', async () => {
    if (!template.value) return;
    try {
      fill((await api('GET', '/templates/' + encodeURIComponent(template.value))).spec);
      preview.schedule();
    } catch (e) {
      summary.replaceChildren(errorBox(e));
    }
  });
  upload.addEventListener('change', async () => {
    const file = upload.files[0];
    if (!file) return;
    try {
      const text = await file.text();
      const spec = /\.ya?ml$/i.test(file.name) ? (await import('./js-yaml.mjs')).load(text) : JSON.parse(text);
      if (!spec || typeof spec !== 'object') throw new Error(file.name + ' is not a config (an object)');
      fill(spec);
      summary.replaceChildren(h('p', {}, `Filled in from ${file.name}`));
      preview.schedule();
    } catch (e) {
      summary.replaceChildren(errorBox(`${file.name} could not be read: ${e.message}`));
    }
  });

  const form = h('form', { class: 'new-environment', novalidate: true, 'aria-labelledby': 'new-title' },
    h('h1', { id: 'new-title' }, 'New environment'),
    h('div', { class: 'starters' }, field('Start from a template', template), field('Upload a config (JSON or YAML)', upload)),
    field('Name', controls.name), field('OS', controls.os),
    h('section', { 'aria-label': 'Languages and libraries' }, languages,
      h('button', { type: 'button', class: 'link', onclick: () => languageRow() }, 'Add a language')),
    h('fieldset', { class: 'resources' }, h('legend', {}, 'Resources'),
      field('CPU cores', controls.cpu, 'e.g. 1.5 or 500m'), field('RAM', controls.ram, 'e.g. 2G'),
      field('GPUs', controls.gpu),
      field('GPU model', controls.gpuModel,
        models.length ? 'the nodes have: ' + models.join(', ') : 'part of the GPU\'s name; empty: any'),
      h('datalist', { id: 'gpu-models' }, models.map(m => h('option', { value: m }))),
      field('Storage', controls.storage, 'e.g. 10G')),
    field('Ports', controls.ports, 'container ports to publish, separated by commas'),
    lists.elements,
    field('Command', controls.command, 'what the container runs: words, or a JSON list; empty: it idles until stopped'),
    h('fieldset', { class: 'run-limits' }, h('legend', {}, 'Stopped after'),
      field('Idle timeout', controls.idleTimeout, 'this long without use (e.g. 30m); empty: the cluster\'s default'),
      field('Max runtime', controls.maxRuntime, 'running this long, however busy (e.g. 8h); empty: the cluster\'s default')),
    summary);
  const preview = await dryRunPreview(form, summary, request);
  form.append(preview.element, h('button', { type: 'submit' }, 'Create'));
  // One key per request the form holds: pressing Create again after a 503 (the cluster did not
  // answer in time) answers with the environment the first press made, if it made one, not a second.
  let key = idempotencyKey();
  form.addEventListener('input', () => { key = idempotencyKey(); preview.schedule(); });
  form.addEventListener('change', () => { key = idempotencyKey(); preview.schedule(); });
  form.addEventListener('submit', async event => {
    event.preventDefault();
    preview.cancel();
    clearFieldErrors(form, summary);
    try {
      const created = await api('POST', '/environments', request(), { 'Idempotency-Key': key });
      location.hash = '#/environments/' + encodeURIComponent(created.id);
    } catch (e) {
      showFieldErrors(form, summary, e);
    }
  });
  fill({});
  if (templateName) {
    template.value = templateName;
    if (template.value) template.dispatchEvent(new Event('change'));
    else summary.replaceChildren(errorBox(`there is no template ${templateName} you may use`));
  }
  show(form);
  return () => preview.cancel();
}
