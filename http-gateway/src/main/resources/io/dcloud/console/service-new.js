// A new service from its definition (POST /services): N replicas of one environment config, kept
// alive and load-balanced by DCloud. Its environment is written as YAML or JSON; the API's field
// errors appear beside the field they name (the environment's prefixed "environment.").
import { api } from './api.js';
import { h, field } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';

const EXAMPLE = 'os: debian\nlanguages:\n  - language-name: python\nresources: {cpu: "0.5", ram: 512M}\n'
  + 'command: [python3, -m, http.server, "8000"]\nport-publish:\n  - internal: {ports: "8000"}\n';

/** The form; onCreated(service) gets the API's answer. */
export function newServiceForm(onCreated) {
  const name = h('input', { name: 'service-name', required: true, autocomplete: 'off', 'data-field': 'name' });
  const kind = h('select', { name: 'service-kind', 'data-field': 'kind' },
    h('option', { value: 'app' }, 'app'), h('option', { value: 'model' }, 'model'));
  const port = h('input', { name: 'service-port', type: 'number', min: 1, max: 65535, value: 8000, 'data-field': 'port' });
  const replicas = h('input', { name: 'service-replicas', type: 'number', min: 1, value: 1, 'data-field': 'replicas' });
  const readiness = h('input', { name: 'service-readiness', value: '/', autocomplete: 'off', 'data-field': 'readiness' });
  const environment = h('textarea', { name: 'service-environment', class: 'catalog-json', rows: 9, spellcheck: 'false',
    autocomplete: 'off', 'data-field': 'environment' }, EXAMPLE);
  const summary = h('div', { 'aria-live': 'assertive' });
  const form = h('form', { class: 'new-service', novalidate: true, 'aria-labelledby': 'new-service-title' },
    h('h2', { id: 'new-service-title' }, 'New service'),
    field('Name', name, 'lowercase letters, digits and "-"'),
    field('Kind', kind),
    field('Port', port, 'the container port each replica serves on'),
    field('Replicas', replicas),
    field('Readiness path', readiness, 'answers 2xx on that port once a replica serves'),
    field('Environment (YAML or JSON)', environment, 'the environment config each replica runs, as POST /environments takes it'),
    summary,
    h('button', { type: 'submit', name: 'create-service' }, 'Create service'));

  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFieldErrors(form, summary);
    let config;
    try {
      config = (await import('./js-yaml.mjs')).load(environment.value);
    } catch (e) {
      // Not YAML (nor JSON) at all: the browser can say where, before the API is asked.
      showFieldErrors(form, summary, { message: 'the environment is not YAML or JSON',
        errors: [{ field: 'environment', reason: e.message.split('\n')[0] }] });
      return;
    }
    try {
      const made = await api('POST', '/services', { name: name.value.trim(), kind: kind.value,
        port: Number(port.value), replicas: Number(replicas.value), readiness: { path: readiness.value.trim() },
        environment: config });
      form.reset();
      onCreated(made);
    } catch (e) {
      showFieldErrors(form, summary, e);
    }
  });
  return form;
}
