// An environment's secret-env values (a generated password, say), for its owner alone: hidden until
// asked for, and asked of the API only then (GET /environments/{id}/secrets; anyone else hears 403/404).
import { api } from './api.js';
import { h, errorBox } from './dom.js';

/** The section for environment id, whose spec names these secret-env variables (their values hidden). */
export function secretsSection(id, names) {
  const place = h('div', { 'aria-live': 'polite' });
  const button = h('button', { type: 'button', name: 'show-secrets' }, 'Show secrets');
  button.addEventListener('click', async () => {
    if (place.childElementCount) {
      place.replaceChildren();
      button.textContent = 'Show secrets';
      return;
    }
    try {
      const { secrets } = await api('GET', '/environments/' + encodeURIComponent(id) + '/secrets');
      place.replaceChildren(h('table', { class: 'secrets' },
        h('caption', { class: 'visually-hidden' }, 'Secret values'),
        h('thead', {}, h('tr', {}, ['Name', 'Value'].map(c => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, Object.entries(secrets).map(([name, value]) => h('tr', { 'data-secret': name },
          h('th', { scope: 'row' }, name), h('td', {}, h('code', {}, value)))))));
      button.textContent = 'Hide secrets';
    } catch (e) {
      place.replaceChildren(errorBox(e));
    }
  });
  return h('section', { 'aria-labelledby': 'secrets-title' }, h('h2', { id: 'secrets-title' }, 'Secrets'),
    h('p', {}, `secret-env: ${names.join(', ')}. Only the environment's owner may read the values.`), button, place);
}
