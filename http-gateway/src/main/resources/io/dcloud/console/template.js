// One template: its description and config to edit (saved whole, PUT /templates/{name}), "use this
// template" (the new-environment form filled from it) and delete after confirming. Who may change
// it is the API's to say (its owner, configurers for the platform's): its refusal is shown in words.
import { api } from './api.js';
import { h, show, errorBox, field, confirmDialog } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';
import { ownerText } from './templates.js';

export async function templatePage(name) {
  const path = '/templates/' + encodeURIComponent(name);
  let template = await api('GET', path);
  const owner = h('dd', {});
  const description = h('input', { name: 'description', 'data-field': 'description' });
  const spec = h('textarea', { name: 'spec', class: 'catalog-json', rows: 18, spellcheck: 'false', autocomplete: 'off',
    'data-field': 'spec' });
  const summary = h('div', { 'aria-live': 'polite' });

  function render() {
    owner.textContent = ownerText(template);
    description.value = template.description || '';
    spec.value = JSON.stringify(template.spec, null, 2);
  }

  const form = h('form', { class: 'template', novalidate: true, 'aria-labelledby': 'template-title' },
    field('Description', description),
    field('Config (JSON)', spec, 'the environment config the template stands for, as POST /environments takes it'),
    summary,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', name: 'save' }, 'Save'),
      h('a', { class: 'button', href: '#/new/' + encodeURIComponent(name), 'data-use-template': name }, 'Use this template'),
      h('button', { type: 'button', name: 'delete', class: 'danger', onclick: remove }, 'Delete')));

  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFieldErrors(form, summary);
    let config;
    try {
      config = JSON.parse(spec.value);
    } catch (e) {
      // Not JSON at all: the browser can say where, before the API is asked.
      spec.setAttribute('aria-invalid', 'true');
      document.getElementById(spec.id + '-error').textContent = 'is not JSON: ' + e.message;
      return;
    }
    try {
      template = await api('PUT', path, { description: description.value.trim(), spec: config });
      render();
      summary.replaceChildren(h('p', { class: 'saved', role: 'status' }, `Saved template ${name}.`));
    } catch (e) {
      showFieldErrors(form, summary, e);
    }
  });

  async function remove() {
    if (!await confirmDialog(`Delete template ${name}? Environments made from it keep running.`, 'Delete')) return;
    try {
      await api('DELETE', path);
      location.hash = '#/templates';
    } catch (e) {
      summary.replaceChildren(errorBox(e));
    }
  }

  render();
  show(h('article', { class: 'template-page', 'data-template': name },
    h('h1', { id: 'template-title' }, 'Template ', name),
    h('p', {}, h('a', { href: '#/templates' }, 'All templates')),
    h('dl', { class: 'facts' }, h('dt', {}, 'Owner'), owner),
    form));
  return () => {};
}
