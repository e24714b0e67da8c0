// The datasets the caller may read (GET /datasets?prefix=), each with its latest version, and a
// file uploaded as a dataset's next version.
import { api } from './api.js';
import { h, show, errorBox, field } from './dom.js';
import { uploadForm, sizeText } from './dataset-upload.js';

export async function datasetsPage() {
  const prefix = h('input', { name: 'prefix', type: 'search', placeholder: 'category/ or category/db/', autocomplete: 'off' });
  const body = h('tbody');
  const message = h('div', { 'aria-live': 'polite' });

  async function load() {
    try {
      const { datasets } = await api('GET', '/datasets?prefix=' + encodeURIComponent(prefix.value.trim()));
      body.replaceChildren(...datasets.map(d => h('tr', { 'data-dataset': d.dataset },
        h('th', { scope: 'row' }, h('a', { href: '#/datasets/' + encodeURIComponent(d.dataset) }, d.dataset)),
        h('td', {}, d.owner || ''),
        h('td', {}, String(d.versions)),
        h('td', {}, d.latest ? `version ${d.latest.version}: ${sizeText(d.latest.size)}` : ''),
        h('td', {}, d.latest?.createdAt ? new Date(d.latest.createdAt).toLocaleString() : ''))));
      message.replaceChildren(datasets.length ? ''
        : h('p', { class: 'empty' }, prefix.value.trim() ? 'No dataset matches the prefix.' : 'No datasets yet.'));
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': 'Dataset filter' },
    field('Prefix', prefix), h('button', { type: 'submit', name: 'filter' }, 'Show'));
  filters.addEventListener('submit', event => {
    event.preventDefault();
    load();
  });
  await load();
  show(
    h('h1', {}, 'Datasets'),
    filters, message,
    h('table', { class: 'datasets' },
      h('caption', { class: 'visually-hidden' }, 'The datasets you may read'),
      h('thead', {}, h('tr', {}, ['Dataset', 'Owner', 'Versions', 'Latest', 'Uploaded']
        .map(c => h('th', { scope: 'col' }, c)))),
      body),
    uploadForm(null, made => {
      location.hash = '#/datasets/' + encodeURIComponent(made.dataset);
    }));
  return () => {};
}
