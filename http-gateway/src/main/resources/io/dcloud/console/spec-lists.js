// The form's repeated parts: storage volumes, environment variables (values masked, with a show
// toggle) and datasets (the ones the caller can read, and a version). read() answers the contract's
// value and names each control it used after that field (data-field), so the API's field errors
// land beside it.
import { api } from './api.js';
import { h, field } from './dom.js';

/** A fieldset of rows the user adds and removes; its own error box takes errors naming the whole list. */
export function rowList(key, title, noun, makeRow) {
  const rows = h('div', { class: 'rows' });
  const element = h('fieldset', { class: 'list', id: 'list-' + key, 'data-field': key },
    h('legend', {}, title), rows,
    h('button', { type: 'button', class: 'link', onclick: () => add() }, `Add ${noun}`),
    h('span', { class: 'field-error', id: `list-${key}-error`, role: 'alert' }));

  function add(values = {}) {
    const row = makeRow(values);
    const item = h('div', { class: 'row' }, row.controls, h('button', {
      type: 'button', class: 'link', onclick: () => {
        item.remove();
        // The form changed: live validation hears it as it hears typing.
        element.dispatchEvent(new Event('change', { bubbles: true }));
      },
    }, `Remove this ${noun}`));
    item.read = row.read;
    rows.append(item);
  }

  /** What each filled-in row gives, in order; a row's controls are renamed for the index it gets. */
  function read() {
    for (const control of rows.querySelectorAll('[data-field]')) delete control.dataset.field;
    const values = [];
    for (const item of rows.children) {
      const value = item.read(values.length);
      if (value !== null) values.push(value);
    }
    return values;
  }

  return { element, add, read, clear: () => rows.replaceChildren() };
}

function volumeRow(volume) {
  const target = h('input', { name: 'target', placeholder: '/data', value: volume.target ?? '' });
  const size = h('input', { name: 'size', placeholder: '10G', value: volume.size ?? '' });
  const chosen = String(volume.lifecycle || 'temporary').toLowerCase();
  const lifecycle = h('select', { name: 'lifecycle' },
    ['temporary', 'persistent'].map(l => h('option', { value: l, selected: l === chosen }, l)));
  const kept = h('input', { name: 'volume', placeholder: 'dcloud-node-id-0', value: volume.volume ?? '',
    autocomplete: 'off', spellcheck: 'false', list: keptVolumeChoices().id });
  return {
    controls: [field('Mount path', target), field('Size', size, 'e.g. 10G'), field('Lifecycle', lifecycle),
      field('Kept volume', kept, 'optional: one a deleted environment of yours kept (its persistent volumes)')],
    read(index) {
      if (!target.value.trim() && !size.value.trim() && !kept.value.trim()) return null;
      target.dataset.field = `storage[${index}].target`;
      size.dataset.field = `storage[${index}].size`;
      lifecycle.dataset.field = `storage[${index}].lifecycle`;
      kept.dataset.field = `storage[${index}].volume`;
      if (!kept.value.trim()) {
        return { target: target.value.trim(), size: size.value.trim(), lifecycle: lifecycle.value };
      }
      // A kept volume is persistent, and its size is its environment's unless given.
      const entry = { target: target.value.trim(), volume: kept.value.trim() };
      if (size.value.trim()) entry.size = size.value.trim();
      return entry;
    },
  };
}

/**
 * The caller's volumes a new environment may mount again (deleted or moved environments', mounted
 * by none), offered as the Kept volume field's suggestions; asked again each time a row is added.
 */
function keptVolumeChoices() {
  let choices = document.getElementById('kept-volumes');
  if (!choices) {
    choices = h('datalist', { id: 'kept-volumes' });
    document.body.append(choices);
  }
  api('GET', '/volumes').then(answer => choices.replaceChildren(...answer.volumes
    .filter(v => v.state !== 'ATTACHED' && !v.inUse)
    .map(v => h('option', { value: v.name },
      `${v.target || ''} · ${v.environment?.name || v.environmentId} · node ${v.node}`)))).catch(() => {
    // No suggestions: the name can still be typed.
  });
  return choices;
}

function variableRow({ name = '', value = '' }) {
  const key = h('input', { name: 'env', placeholder: 'NAME', value: name, autocomplete: 'off', spellcheck: 'false' });
  const secret = h('input', { name: 'env-value', type: 'password', value, autocomplete: 'off' });
  const reveal = h('input', { type: 'checkbox', name: 'show-value' });
  reveal.addEventListener('change', () => {
    secret.type = reveal.checked ? 'text' : 'password';
  });
  return {
    controls: [field('Name', key), field('Value', secret), h('label', { class: 'reveal' }, reveal, ' Show the value')],
    read() {
      const trimmed = key.value.trim();
      if (!trimmed) return null;
      key.dataset.field = 'env.' + trimmed;
      return [trimmed, secret.value];
    },
  };
}

/** A dataset id (category/db/name) as a path under /datasets. */
function datasetPath(id) {
  return '/datasets/' + id.split('/').map(encodeURIComponent).join('/');
}

function datasetRow(readable) {
  return ({ id = '', version = 'latest' }) => {
    const ids = readable.includes(id) || !id ? readable : [...readable, id];
    const dataset = h('select', { name: 'dataset-name' }, h('option', { value: '' }, '—'),
      ids.map(d => h('option', { value: d, selected: d === id }, d)));
    const versions = h('select', { name: 'version' });
    async function fillVersions(chosen) {
      const numbers = [];
      if (dataset.value) {
        try {
          numbers.push(...((await api('GET', datasetPath(dataset.value) + '/versions')).versions || []).map(v => v.version));
        } catch {
          // Not readable after all: "latest" stays choosable, and the dry run names the dataset.
        }
      }
      const values = ['latest', ...numbers.map(String)];
      if (!values.includes(chosen)) values.push(chosen);
      versions.replaceChildren(...values.map(v => h('option', { value: v, selected: v === chosen }, v)));
    }
    dataset.addEventListener('change', () => fillVersions('latest'));
    fillVersions(String(version));
    return {
      controls: [field('Dataset', dataset), field('Version', versions)],
      read(index) {
        if (!dataset.value) return null;
        const [category, db, name] = dataset.value.split('/');
        dataset.dataset.field = `dataset[${index}]`;
        versions.dataset.field = `dataset[${index}].db[0].dataset[0].version`;
        const chosen = { 'dataset-name': name, version: versions.value };
        return { 'category-name': category, db: [{ 'db-name': db, dataset: [chosen] }] };
      },
    };
  };
}

/** The three lists; readable: the ids of the datasets the caller can read. */
export function specLists(readable) {
  const storage = rowList('storage', 'Storage volumes', 'volume', volumeRow);
  const env = rowList('env', 'Environment variables', 'variable', variableRow);
  const dataset = rowList('dataset', 'Datasets', 'dataset', datasetRow(readable));
  return {
    elements: [storage.element, env.element, dataset.element],
    /** The contract's storage, env and dataset (undefined where the list is empty). */
    read() {
      const volumes = storage.read();
      const variables = env.read();
      const datasets = dataset.read();
      return {
        storage: volumes.length ? volumes : undefined,
        env: variables.length ? Object.fromEntries(variables) : undefined,
        dataset: datasets.length ? datasets : undefined,
      };
    },
    fill(spec) {
      storage.clear();
      env.clear();
      dataset.clear();
      (Array.isArray(spec.storage) ? spec.storage : []).forEach(v => storage.add(v || {}));
      const variables = spec.env && typeof spec.env === 'object' ? spec.env : {};
      Object.entries(variables).forEach(([name, value]) => env.add({ name, value }));
      for (const category of Array.isArray(spec.dataset) ? spec.dataset : []) {
        for (const db of category?.db || []) {
          for (const d of db?.dataset || []) {
            const id = `${category['category-name']}/${db['db-name']}/${d?.['dataset-name']}`;
            dataset.add({ id, version: d?.version ?? 'latest' });
          }
        }
      }
    },
  };
}
