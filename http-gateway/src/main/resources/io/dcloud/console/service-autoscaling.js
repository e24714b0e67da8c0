// A service's autoscaling: off, a form that turns it on (PUT /services/{name}/autoscaling); on, the
// same form filled from the service, what its load asks for now, and "Turn off" (DELETE …, the
// replicas stay). The API's field errors are shown beside the fields; the service as answered goes
// to onChanged.
import { api } from './api.js';
import { h, field } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';

/** The API's defaults, shown so that the user sees what she gets without typing them. */
const DEFAULTS = { targetOngoingRequests: 2, upscaleDelay: '30s', downscaleDelay: '10m' };

function plural(count, word) {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** "5.2 calls in progress → wants 3 replicas", or that none has been measured yet. */
function loadText(load) {
  if (!load) return 'No load measured yet: it is measured every few seconds.';
  const ongoing = Number(load.ongoingRequests.toFixed(1));
  // When the delay lets it take that count, if the load keeps asking (none: it has it).
  const at = load.scalesAt ? `, from ${new Date(load.scalesAt).toLocaleTimeString()}` : '';
  return `${plural(ongoing, 'call')} in progress → wants ${plural(load.wantedReplicas, 'replica')}${at}`;
}

/** An empty field is left out of the request: the API says a bound is required, or takes its default. */
function numberOf(input) {
  return input.value.trim() === '' ? undefined : Number(input.value);
}

function textOf(input) {
  return input.value.trim() === '' ? undefined : input.value.trim();
}

/** fill(service) shows whether it autoscales and its load (every refresh), and its settings when they change. */
export function autoscalingSection(name, onChanged) {
  const path = `/services/${encodeURIComponent(name)}/autoscaling`;
  const minReplicas = h('input', { name: 'min-replicas', type: 'number', min: 0, step: 1, 'data-field': 'min-replicas' });
  const maxReplicas = h('input', { name: 'max-replicas', type: 'number', min: 1, step: 1, 'data-field': 'max-replicas' });
  const target = h('input', { name: 'target-ongoing-requests', type: 'number', min: 0, step: 'any',
    'data-field': 'target-ongoing-requests', value: DEFAULTS.targetOngoingRequests });
  const upscaleDelay = h('input', { name: 'upscale-delay', 'data-field': 'upscale-delay', value: DEFAULTS.upscaleDelay });
  const downscaleDelay = h('input', { name: 'downscale-delay', 'data-field': 'downscale-delay',
    value: DEFAULTS.downscaleDelay });
  const load = h('p', { class: 'autoscaling-load', hidden: true });
  const summary = h('div', { 'aria-live': 'assertive' });
  const saved = h('div', { 'aria-live': 'polite' });
  const save = h('button', { type: 'submit', name: 'save-autoscaling' }, 'Autoscale');
  const off = h('button', { type: 'button', name: 'autoscaling-off', hidden: true }, 'Turn off');
  const form = h('form', { class: 'autoscaling', novalidate: true, 'aria-labelledby': 'autoscaling-title' },
    field('Min replicas', minReplicas, 'never fewer, however idle; 0: none while nobody calls, the first call waits for one'),
    field('Max replicas', maxReplicas, 'never more, however busy'),
    field('Target calls in progress per replica', target, 'the load divided by this is the replica count wanted'),
    field('Scale up after', upscaleDelay, 'how long the load must ask for more first, as 0s, 30s or 10m'),
    field('Scale down after', downscaleDelay, 'how long the load must ask for fewer first'),
    summary, saved, h('div', { class: 'actions' }, save, off));
  const section = h('section', { class: 'autoscaling', 'aria-labelledby': 'autoscaling-title', 'data-autoscaling': 'off' },
    h('h2', { id: 'autoscaling-title' }, 'Autoscaling'),
    h('p', { class: 'hint' }, 'The service sets its own replica count from the calls in progress at the gateways,'
      + ' within the min and max.'),
    load, form);
  // The settings last put in the fields: a refresh puts them there again only when the service's
  // settings have changed, so what the user types stays until she saves.
  let filled = null;

  /** Sends a change; its answer, or its refusal beside the fields. */
  async function change(button, send, done) {
    clearFieldErrors(form, summary);
    saved.replaceChildren();
    button.disabled = true;
    try {
      const service = await send();
      saved.replaceChildren(h('p', { class: 'saved', role: 'status' }, done));
      // Filled again even when unchanged: a field left empty shows the default the service took.
      filled = null;
      onChanged(service);
    } catch (e) {
      showFieldErrors(form, summary, e);
    } finally {
      button.disabled = false;
    }
  }

  form.addEventListener('submit', event => {
    event.preventDefault();
    change(save, () => api('PUT', path, {
      'min-replicas': numberOf(minReplicas), 'max-replicas': numberOf(maxReplicas),
      'target-ongoing-requests': numberOf(target), 'upscale-delay': textOf(upscaleDelay),
      'downscale-delay': textOf(downscaleDelay),
    }), 'Saved.');
  });
  off.addEventListener('click', () => change(off, () => api('DELETE', path), 'Autoscaling is off; the replicas stay.'));

  return {
    element: section,
    fill(service) {
      const autoscaling = service.autoscaling;
      section.dataset.autoscaling = autoscaling ? 'on' : 'off';
      save.textContent = autoscaling ? 'Save' : 'Autoscale';
      off.hidden = !autoscaling;
      load.hidden = !autoscaling;
      if (autoscaling) load.textContent = loadText(service.load);
      // Turned off, the fields keep the last settings: turning it on again is one click.
      const settings = JSON.stringify(autoscaling);
      if (!autoscaling || settings === filled) return;
      filled = settings;
      minReplicas.value = autoscaling.minReplicas;
      maxReplicas.value = autoscaling.maxReplicas;
      target.value = autoscaling.targetOngoingRequests;
      upscaleDelay.value = autoscaling.upscaleDelay;
      downscaleDelay.value = autoscaling.downscaleDelay;
    },
  };
}
