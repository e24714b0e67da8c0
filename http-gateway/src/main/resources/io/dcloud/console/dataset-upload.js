// Uploading a file as a dataset's next version: the browser streams the File (never read into the
// page) with a progress bar from the upload's progress; the answer names the version made.
import { upload } from './api.js';
import { h, errorBox, field } from './dom.js';

/** A dataset id's path under /datasets: each of category, db and name encoded on its own. */
export function datasetPath(id) {
  return '/datasets/' + id.split('/').map(encodeURIComponent).join('/');
}

/** A size as bytes, and in KiB/MiB/GiB when that reads better. */
export function sizeText(bytes) {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit < 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]} (${bytes} bytes)`;
}

/**
 * The upload form; fixedId: the dataset it adds to (its page), or null to ask for the id (the
 * list). onUploaded(answer) after a version is made.
 */
export function uploadForm(fixedId, onUploaded) {
  const id = h('input', { name: 'dataset', required: true, placeholder: 'category/db/name', autocomplete: 'off',
    pattern: '[^/]+/[^/]+/[^/]+' });
  const file = h('input', { type: 'file', name: 'file', required: true });
  const bar = h('progress', { id: 'upload-progress', max: 1, value: 0 });
  const progress = h('div', { class: 'progress', hidden: true },
    h('label', { for: bar.id, class: 'upload-label' }, 'Uploading'), bar);
  const message = h('div', { 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', name: 'upload' }, 'Upload');

  const form = h('form', { class: 'upload', novalidate: true, 'aria-labelledby': 'upload-title' },
    h('h2', { id: 'upload-title' }, fixedId ? 'Upload a new version' : 'Upload a dataset'),
    fixedId ? null : field('Dataset', id, 'category/db/name; an existing one of yours gets its next version'),
    field('File', file, 'a .tar file becomes a directory in environments; anything else one file'),
    progress, message, button);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const target = fixedId || id.value.trim();
    const chosen = file.files[0];
    if (!target || target.split('/').length !== 3 || !chosen) {
      message.replaceChildren(errorBox(!chosen ? 'choose a file to upload' : 'name the dataset as category/db/name'));
      return;
    }
    message.replaceChildren();
    button.disabled = true;
    progress.hidden = false;
    bar.max = chosen.size || 1;
    bar.value = 0;
    const label = progress.querySelector('label');
    label.textContent = `Uploading ${chosen.name}: 0 of ${sizeText(chosen.size)}`;
    try {
      const made = await upload(datasetPath(target), chosen, (sent, total) => {
        bar.max = total || 1;
        bar.value = sent;
        label.textContent = `Uploading ${chosen.name}: ${sizeText(sent)} of ${sizeText(total)}`;
      }, contentType(chosen));
      bar.value = bar.max;
      label.textContent = `Uploaded ${chosen.name}`;
      message.replaceChildren(h('p', { class: 'saved', role: 'status' },
        `${made.dataset} version ${made.version}: ${sizeText(made.size)}, sha256 ${made.sha256}`));
      form.reset();
      onUploaded(made);
    } catch (e) {
      progress.hidden = true;
      message.replaceChildren(errorBox(e));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

/** A .tar, .tar.gz or .tgz is a directory in environments (browsers call a .tar.gz plain gzip). */
function contentType(file) {
  if (/\.(tar\.gz|tgz)$/i.test(file.name)) return 'application/x-gtar';
  if (/\.tar$/i.test(file.name)) return 'application/x-tar';
  return file.type || 'application/octet-stream';
}
