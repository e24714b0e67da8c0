// A form whose files go as one multipart POST (a model's or an app's), with a progress bar from the
// upload's progress and the API's field errors (named after the parts, or after the config's fields)
// beside the controls or in the summary.
import { uploadParts } from './api.js';
import { h, field } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';
import { sizeText } from './dataset-upload.js';

/**
 * parts: [{name (the part's, and the control's data-field), label, hint, accept}]; onUploaded(answer,
 * message) after the API made it, to say what was made in message.
 */
export function partsUploadForm({ css, title, path, parts, button: buttonText }, onUploaded) {
  const inputs = parts.map(p => h('input', { type: 'file', name: p.name, accept: p.accept, required: true,
    'data-field': p.name }));
  const bar = h('progress', { id: css + '-progress', max: 1, value: 0 });
  const label = h('label', { for: bar.id }, 'Uploading');
  const progress = h('div', { class: 'progress', hidden: true }, label, bar);
  const summary = h('div', { 'aria-live': 'assertive' });
  const message = h('div', { 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', name: css }, buttonText);
  const form = h('form', { class: 'upload ' + css, novalidate: true, 'aria-labelledby': css + '-title' },
    h('h2', { id: css + '-title' }, title),
    parts.map((p, i) => field(p.label, inputs[i], p.hint)),
    progress, summary, message, button);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFieldErrors(form, summary);
    message.replaceChildren();
    const body = new FormData();
    parts.forEach((p, i) => {
      if (inputs[i].files[0]) body.append(p.name, inputs[i].files[0]);
    });
    button.disabled = true;
    progress.hidden = false;
    bar.value = 0;
    label.textContent = 'Uploading';
    try {
      const made = await uploadParts(path, body, (sent, total) => {
        bar.max = total || 1;
        bar.value = sent;
        label.textContent = `Uploading: ${sizeText(sent)} of ${sizeText(total)}`;
      });
      bar.value = bar.max;
      label.textContent = 'Uploaded';
      form.reset();
      onUploaded(made, message);
    } catch (e) {
      progress.hidden = true;
      showFieldErrors(form, summary, e);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
