// A service's definition as a form: a new service (POST /services), or the next version of one
// (PUT /services/{name}, rolled as its surge says). N replicas of one environment config, kept
// alive and load-balanced by DCloud. Its environment is written as YAML or JSON; the API's field
// errors appear beside the field they name (the environment's prefixed "environment.").
import { api } from './api.js';
import { h, field } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';

const EXAMPLE = 'os: debian\nlanguages:\n  - language-name: python\nresources: {cpu: "0.5", ram: 512M}\n'
  + 'command: [python3, -m, http.server, "8000"]\nport-publish:\n  - internal: {ports: "8000"}\n';

/** A new service's form; onCreated(service) gets the API's answer. */
export function newServiceForm(onCreated) {
  return definitionForm(null, EXAMPLE, onCreated);
}

/**
 * The form of `service`'s next version, filled from its definition (GET /services/{name}/definition:
 * variables' values show as <set>, and left so each keeps its value). onRolled(service) gets the
 * API's answer.
 */
export async function nextVersionForm(service, onRolled) {
  const definition = await api('GET', '/services/' + encodeURIComponent(service.name) + '/definition');
  const environment = (await import('./js-yaml.mjs')).dump(definition.environment);
  return definitionForm({ ...definition, desiredReplicas: definition.replicas }, environment, onRolled);
}

function definitionForm(service, environmentText, onSaved) {
  const rolling = service !== null;
  const name = h('input', { name: 'service-name', required: true, autocomplete: 'off', 'data-field': 'name',
    value: service?.name || '', disabled: rolling });
  const kind = h('select', { name: 'service-kind', 'data-field': 'kind', disabled: rolling },
    h('option', { value: 'app' }, 'app'), h('option', { value: 'model' }, 'model'));
  kind.value = service?.kind || 'app';
  const port = h('input', { name: 'service-port', type: 'number', min: 1, max: 65535, value: service?.port ?? 8000,
    'data-field': 'port' });
  const replicas = h('input', { name: 'service-replicas', type: 'number', min: 1, value: service?.desiredReplicas ?? 1,
    'data-field': 'replicas' });
  const readiness = h('input', { name: 'service-readiness', value: service?.readiness?.path ?? '/', autocomplete: 'off',
    'data-field': 'readiness' });
  const surge = h('select', { name: 'service-surge', 'data-field': 'surge' },
    h('option', { value: '1' }, '1: a new replica added before an old one goes'),
    h('option', { value: '0' }, '0: an old replica deleted before its replacement'));
  surge.value = String(service?.surge ?? 1);
  const spread = h('select', { name: 'service-spread', 'data-field': 'spread' },
    h('option', { value: 'preferred' }, 'preferred: as far apart as the cluster allows'),
    h('option', { value: 'required' }, 'required: each replica on a node that runs no other'));
  spread.value = service?.spread ?? 'preferred';
  const environment = h('textarea', { name: 'service-environment', class: 'catalog-json', rows: 9, spellcheck: 'false',
    autocomplete: 'off', 'data-field': 'environment' }, environmentText);
  const summary = h('div', { 'aria-live': 'assertive' });
  const title = rolling ? 'Next version' : 'New service';
  const form = h('form', { class: rolling ? 'next-version' : 'new-service', novalidate: true,
    'aria-labelledby': 'service-form-title' },
    h('h2', { id: 'service-form-title' }, title),
    field('Name', name, 'lowercase letters, digits and "-"'),
    field('Kind', kind),
    field('Port', port, 'the container port each replica serves on'),
    field('Replicas', replicas),
    field('Readiness path', readiness, 'answers 2xx on that port once a replica serves'),
    field('Surge', surge, 'how a new version rolls'),
    field('Spread', spread, 'required: a replica waits rather than share a node'),
    field('Environment (YAML or JSON)', environment, rolling
      ? 'the environment config of the new version; a variable whose value shows as <set> keeps its value'
      : 'the environment config each replica runs, as POST /environments takes it'),
    summary,
    h('button', { type: 'submit', name: rolling ? 'roll-service' : 'create-service' },
      rolling ? 'Roll to this version' : 'Create service'));

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
    const definition = { name: name.value.trim(), kind: kind.value, port: Number(port.value),
      replicas: Number(replicas.value), readiness: { path: readiness.value.trim() }, surge: Number(surge.value),
      spread: spread.value, environment: config };
    try {
      const saved = rolling
        ? await api('PUT', '/services/' + encodeURIComponent(service.name), { ...definition,
          batching: service.batching, bindings: service.bindings })
        : await api('POST', '/services', definition);
      if (!rolling) form.reset();
      onSaved(saved);
    } catch (e) {
      showFieldErrors(form, summary, e);
    }
  });
  return form;
}
