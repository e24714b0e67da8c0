// The API's field errors beside the controls they name (data-field: the contract's field name);
// what names no control, and the problem's detail, in the form's summary.
import { h, errorBox } from './dom.js';

const CONTROLS = ['INPUT', 'SELECT', 'TEXTAREA'];

/** Takes back what showFieldErrors marked, before the form is sent again. */
export function clearFieldErrors(form, summary) {
  for (const error of form.querySelectorAll('.field-error')) error.textContent = '';
  for (const control of form.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
  summary.replaceChildren();
}

/**
 * Each of the problem's field errors beside its control (the one whose data-field names the field
 * or the nearest part above it); the rest, and the detail, in the summary. Live (while typing): the
 * errors are shown, but the focus stays where the user types.
 */
export function showFieldErrors(form, summary, error, live = false) {
  const unplaced = [];
  for (const { field: name, reason } of error.errors || []) {
    const control = [...form.querySelectorAll('[data-field]')]
      .filter(c => name === c.dataset.field || name.startsWith(c.dataset.field + '.') || name.startsWith(c.dataset.field + '['))
      .sort((a, b) => b.dataset.field.length - a.dataset.field.length)[0];
    if (control) {
      // A list's fieldset shows the error in its box; aria-invalid belongs to controls only.
      if (CONTROLS.includes(control.tagName)) control.setAttribute('aria-invalid', 'true');
      const box = document.getElementById(control.id + '-error');
      box.textContent = (box.textContent ? box.textContent + '; ' : '') + reason;
    } else unplaced.push(`${name}: ${reason}`);
  }
  const list = unplaced.length ? h('ul', { class: 'unplaced' }, unplaced.map(u => h('li', {}, u))) : null;
  if (live) {
    // Beside the fields is enough while typing; the detail only when no field is named (quota, say).
    summary.replaceChildren(...(error.errors?.length ? [list].filter(Boolean) : [h('p', { class: 'error' }, error.message)]));
    return;
  }
  // replaceChildren writes a null as the text "null": only what there is.
  summary.replaceChildren(...[errorBox(error), list].filter(Boolean));
  form.querySelector('[aria-invalid]')?.focus();
}
