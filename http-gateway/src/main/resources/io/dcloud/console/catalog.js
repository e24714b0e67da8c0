// The library catalog, for configurers and admins: its contract as JSON to edit, saved whole
// (PUT /catalog); what the API refuses is listed field by field under the editor.
import { api, ApiError } from './api.js';
import { h, show, errorBox, field } from './dom.js';

export async function catalogPage() {
  const editor = h('textarea', { name: 'catalog', class: 'catalog-json', rows: 24, spellcheck: 'false',
    autocomplete: 'off' });
  const errors = h('ul', { class: 'catalog-errors', 'aria-label': 'What the catalog has wrong' });
  const message = h('div', { 'aria-live': 'polite' });

  function showCatalog(catalog) {
    editor.value = JSON.stringify(catalog, null, 2);
  }

  function problems(error, fieldErrors) {
    message.replaceChildren(errorBox(error));
    errors.replaceChildren(...fieldErrors.map(e => h('li', { 'data-field': e.field },
      h('code', {}, e.field || '(the catalog)'), ': ', e.reason)));
    editor.setAttribute('aria-invalid', 'true');
  }

  async function save(event) {
    event.preventDefault();
    let contract;
    try {
      contract = JSON.parse(editor.value);
    } catch (e) {
      // Not JSON at all: the browser can say where, before the API is asked.
      return problems(new Error('The catalog is not JSON: ' + e.message), []);
    }
    try {
      showCatalog(await api('PUT', '/catalog', contract));
      errors.replaceChildren();
      editor.removeAttribute('aria-invalid');
      message.replaceChildren(h('p', { class: 'saved', role: 'status' }, 'Saved: new environments use this catalog.'));
    } catch (e) {
      problems(e, e instanceof ApiError ? e.errors : []);
    }
  }

  showCatalog(await api('GET', '/catalog'));
  show(
    h('h1', {}, 'Catalog'),
    h('p', {}, 'The operating systems, languages and libraries users may choose, with the steps that install them.'),
    h('form', { class: 'catalog', onsubmit: save },
      field('Catalog (JSON)', editor, 'An array of OS documents: os, base-image, init-steps, specifications.'),
      message, errors,
      h('div', { class: 'actions' }, h('button', { type: 'submit', name: 'save' }, 'Save'))));
  return () => {};
}
