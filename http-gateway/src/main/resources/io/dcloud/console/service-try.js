// "Try it": a model's predictions for JSON instances (POST /services/{name}/predict), or an app's
// answer to a GET of one of its paths (through /services/{name}/call/…), shown as they came back.
import { api, raw } from './api.js';
import { h, field, errorBox } from './dom.js';

/** A list of instances, or {"instances": [...]} as the API takes it: the list either way. */
function instancesOf(text) {
  const parsed = JSON.parse(text);
  const instances = Array.isArray(parsed) ? parsed : parsed?.instances;
  if (!Array.isArray(instances)) throw new Error('write a JSON list of instances, or {"instances": [...]}');
  return instances;
}

export function tryItSection(service) {
  const name = encodeURIComponent(service.name);
  const answer = h('pre', { class: 'try-answer', tabindex: 0, role: 'region', 'aria-label': 'The answer' });
  const message = h('div', { 'aria-live': 'polite' });
  const model = service.kind === 'model';
  const input = model
    ? h('textarea', { name: 'instances', rows: 5, class: 'json-input', placeholder: '[{"feature": 1.0}]' })
    : h('input', { name: 'call-path', value: '/', autocomplete: 'off' });
  if (model) startWithTheInputExample(name, input);
  const button = h('button', { type: 'submit', name: 'try' }, model ? 'Predict' : 'Send GET');
  const form = h('form', { class: 'try-it', novalidate: true, 'aria-labelledby': 'try-title' },
    h('h2', { id: 'try-title' }, 'Try it'),
    model ? field('Instances (JSON)', input, 'a list of instances, each as the model\'s contract reads it')
      : field('Path', input, 'GET this path of the app, on a ready replica'),
    button, message, answer);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    message.replaceChildren();
    answer.textContent = '';
    delete answer.dataset.status;
    button.disabled = true;
    try {
      if (model) {
        const { predictions } = await api('POST', `/services/${name}/predict`, { instances: instancesOf(input.value) });
        answer.dataset.status = 200;
        answer.textContent = JSON.stringify(predictions, null, 2);
      } else {
        const path = input.value.trim().replace(/^\/+/, '');
        const got = await raw('GET', `/services/${name}/call/${path}`);
        answer.dataset.status = got.status;
        answer.textContent = `${got.status} ${got.contentType}\n\n${got.text}`;
      }
    } catch (e) {
      message.replaceChildren(errorBox(e));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

/**
 * A model pushed with an input-example in its config starts the box with it, to send as it is or
 * edit. Only a help: a model service made without a push (no model of that name) keeps the empty box.
 */
async function startWithTheInputExample(name, input) {
  try {
    const example = (await api('GET', `/models/${name}`))?.config?.['input-example'];
    if (example != null && input.value === '') input.value = JSON.stringify([example], null, 2);
  } catch {
    // no model of that name, or not readable by this user: nothing to start with
  }
}
