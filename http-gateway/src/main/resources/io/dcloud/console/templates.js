// The templates the caller may use (the platform's and their own), and a new one saved from one of
// the caller's environments: its config as GET /environments shows it becomes the template's spec.
import { api } from './api.js';
import { h, show, field } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';

/** Who a template is: the platform's (configurers change it) or a user's. */
export function ownerText(template) {
  return template.builtIn ? 'the platform (built-in)' : template.owner || '';
}

export async function templatesPage() {
  const [listing, environments] = await Promise.all([api('GET', '/templates'), api('GET', '/environments')]);
  const mine = environments.environments.filter(e => e.status !== 'DELETED' && e.spec);
  const body = h('tbody', {}, listing.templates.map(t => h('tr', { 'data-template': t.name },
    h('th', { scope: 'row' }, h('a', { href: '#/templates/' + encodeURIComponent(t.name) }, t.name)),
    h('td', {}, t.description || ''),
    h('td', {}, ownerText(t)),
    h('td', {}, h('a', { href: '#/new/' + encodeURIComponent(t.name), 'aria-label': `Use this template: ${t.name}` },
      'Use this template')))));

  const environment = h('select', { name: 'environment', required: true, 'data-field': 'spec' },
    mine.map(e => h('option', { value: e.id }, `${e.name} (${e.status})`)));
  const name = h('input', { name: 'template-name', required: true, maxlength: 63, 'data-field': 'name' });
  const description = h('input', { name: 'description', 'data-field': 'description' });
  const summary = h('div', { 'aria-live': 'assertive' });
  const form = h('form', { class: 'new-template', novalidate: true, 'aria-labelledby': 'new-template-title' },
    h('h2', { id: 'new-template-title' }, 'Save one of your environments as a template'),
    mine.length
      ? [field('Environment', environment, 'its config (OS, languages, resources, ports, command) becomes the template'),
        field('Template name', name, 'letters, digits, ".", "_" and "-"'), field('Description', description),
        summary, h('button', { type: 'submit', name: 'create-template' }, 'Save as template')]
      : h('p', { class: 'empty' }, 'You have no environments to save as a template yet.'));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFieldErrors(form, summary);
    const chosen = mine.find(e => e.id === environment.value);
    try {
      const saved = await api('POST', '/templates',
        { name: name.value.trim(), description: description.value.trim(), spec: chosen?.spec });
      location.hash = '#/templates/' + encodeURIComponent(saved.name);
    } catch (e) {
      showFieldErrors(form, summary, e);
    }
  });

  show(
    h('h1', {}, 'Templates'),
    h('table', { class: 'templates' },
      h('caption', { class: 'visually-hidden' }, 'The templates you may use'),
      h('thead', {}, h('tr', {}, ['Name', 'Description', 'Owner', 'Use'].map(c => h('th', { scope: 'col' }, c)))),
      body),
    ...(listing.templates.length ? [] : [h('p', { class: 'empty' }, 'No templates yet.')]),
    form);
  return () => {};
}
