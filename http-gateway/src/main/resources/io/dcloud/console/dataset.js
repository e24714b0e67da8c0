// One dataset: its owner, readers and versions (GET …/versions), each to download (a link: the
// browser streams it with the session cookie) or delete after confirming, all of them at once, and
// a new version uploaded. While an environment mounts a version the API refuses (409, naming them).
// Its readers are changed in their own form (dataset-readers.js).
import { api, ROOT } from './api.js';
import { h, show, errorBox, confirmDialog } from './dom.js';
import { uploadForm, datasetPath, sizeText } from './dataset-upload.js';
import { readersForm } from './dataset-readers.js';

export async function datasetPage(id) {
  const path = datasetPath(id);
  const facts = h('dl', { class: 'facts' });
  const body = h('tbody');
  const message = h('div', { 'aria-live': 'polite' });
  const removeAll = h('button', { type: 'button', name: 'delete-all', class: 'danger', onclick: () => remove(null) },
    'Delete all versions');
  const readers = readersForm(path, render);

  function render(dataset) {
    facts.replaceChildren(
      h('dt', {}, 'Owner'), h('dd', {}, dataset.owner || ''),
      h('dt', {}, 'Readers'), h('dd', {}, [...(dataset.readers || []),
        ...(dataset.readerGroups || []).map(g => `group ${g}`)].join(', ') || 'only the owner'));
    readers.fill(dataset);
    // The file name a download is saved as: the dataset's name and version.
    const name = id.split('/').pop();
    body.replaceChildren(...[...dataset.versions].reverse().map(v => h('tr', { 'data-version': v.version },
      h('th', { scope: 'row' }, `version ${v.version}`),
      h('td', { class: 'size', 'data-size': v.size }, sizeText(v.size)),
      h('td', {}, h('code', { title: v.sha256 }, String(v.sha256).slice(0, 12))),
      h('td', {}, v.contentType || ''),
      h('td', {}, v.createdBy || ''),
      h('td', {}, v.createdAt ? new Date(v.createdAt).toLocaleString() : ''),
      h('td', {}, h('div', { class: 'actions' },
        h('a', { href: `${ROOT}${path}?version=${v.version}`, download: `${name}-v${v.version}`, class: 'download',
          'aria-label': `Download version ${v.version}` }, 'Download'),
        h('button', { type: 'button', name: 'delete-version', class: 'danger', 'aria-label': `Delete version ${v.version}`,
          onclick: () => remove(v.version) }, 'Delete'))))));
    removeAll.hidden = dataset.versions.length === 0;
  }

  async function load() {
    render(await api('GET', path + '/versions'));
  }

  async function remove(version) {
    const question = version === null
      ? `Delete every version of ${id}? Their bytes are reclaimed; this cannot be undone.`
      : `Delete version ${version} of ${id}? Its bytes are reclaimed; this cannot be undone.`;
    if (!await confirmDialog(question, 'Delete')) return;
    try {
      const answer = await api('DELETE', path + (version === null ? '' : `?version=${version}`));
      message.replaceChildren(h('p', { class: 'saved', role: 'status' },
        `Deleted version ${answer.deleted.join(', ')}` + (answer.remaining.length ? '.' : `: ${id} has no versions left.`)));
      if (answer.remaining.length) await load();
      else render({ versions: [], readers: [], readerGroups: [] });
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  await load();
  show(h('article', { class: 'dataset-page', 'data-dataset': id },
    h('h1', {}, 'Dataset ', id),
    h('p', {}, h('a', { href: '#/datasets' }, 'All datasets')),
    facts,
    h('section', { 'aria-labelledby': 'versions-title' }, h('h2', { id: 'versions-title' }, 'Versions'),
      message,
      h('table', { class: 'versions' },
        h('caption', { class: 'visually-hidden' }, `The versions of ${id}, newest first`),
        h('thead', {}, h('tr', {}, ['Version', 'Size', 'sha256', 'Type', 'By', 'Uploaded', 'Actions']
          .map(c => h('th', { scope: 'col' }, c)))),
        body),
      h('div', { class: 'actions' }, removeAll)),
    readers.element,
    uploadForm(id, () => load().catch(e => message.replaceChildren(errorBox(e))))));
  return () => {};
}
