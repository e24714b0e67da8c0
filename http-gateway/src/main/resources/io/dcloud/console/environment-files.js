// Files into and out of a RUNNING environment (PUT and GET /environments/{id}/files?path=), the
// upload's progress shown as it goes; and the environment's exports, the Kubernetes manifest and
// the Dockerfile, as links (the session cookie authenticates a link's GET).
import { ROOT, upload } from './api.js';
import { h, errorBox, field } from './dom.js';

export function filesSection(id, name, statusNow) {
  const base = `${ROOT}/environments/${encodeURIComponent(id)}`;
  const file = h('input', { type: 'file', name: 'upload-file' });
  // The environment's user's home (the Dockerfile DCloud generates makes it).
  const target = h('input', { name: 'upload-path', value: '/home/dcloud/', spellcheck: 'false' });
  const bar = h('progress', { class: 'upload-progress', max: 1, value: 0, hidden: true, 'aria-label': 'Upload progress' });
  const uploaded = h('div', { class: 'upload-state', 'aria-live': 'polite' });
  const source = h('input', { name: 'download-path', placeholder: '/home/dcloud/notes.txt', spellcheck: 'false' });
  const download = h('a', { class: 'button download', download: '' }, 'Download');

  async function send(event) {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen) return uploaded.replaceChildren(errorBox('choose a file to upload first'));
    if (statusNow() !== 'RUNNING') return uploaded.replaceChildren(errorBox('the environment is not RUNNING'));
    // A directory (ending in /) gets the file under its own name.
    const path = target.value.trim().endsWith('/') ? target.value.trim() + chosen.name : target.value.trim();
    bar.hidden = false;
    uploaded.replaceChildren(h('p', {}, `Uploading ${chosen.name}…`));
    try {
      const written = await upload(`/environments/${encodeURIComponent(id)}/files?path=${encodeURIComponent(path)}`,
        chosen, (sent, total) => {
          bar.max = total || 1;
          bar.value = sent;
        }, 'application/octet-stream');
      uploaded.replaceChildren(h('p', { class: 'saved', 'data-bytes': written.bytes },
        `Uploaded ${written.bytes} bytes to ${written.path}`));
    } catch (e) {
      uploaded.replaceChildren(errorBox(e));
    }
  }

  function point() {
    const path = source.value.trim();
    if (path) download.setAttribute('href', `${base}/files?path=${encodeURIComponent(path)}`);
    else download.removeAttribute('href');
  }
  source.addEventListener('input', point);

  return h('section', { 'aria-labelledby': 'files-title' }, h('h2', { id: 'files-title' }, 'Files'),
    h('p', {}, 'Files go in and out while the environment is RUNNING.'),
    h('form', { class: 'toolbar upload', onsubmit: send },
      field('File to upload', file), field('Path in the environment', target, 'a directory ends in /'),
      h('button', { type: 'submit', name: 'upload' }, 'Upload'), bar),
    uploaded,
    h('div', { class: 'toolbar' }, field('Path to download', source, 'a directory comes as a tar'), download),
    h('p', { class: 'exports' },
      h('a', { class: 'manifest', href: `${base}/manifest?format=kubernetes`, download: `${name}-kubernetes.yaml` },
        'Download Kubernetes manifest'), ' · ',
      h('a', { class: 'dockerfile', href: `${base}/dockerfile`, target: '_blank', rel: 'noopener' }, 'Dockerfile')));
}
