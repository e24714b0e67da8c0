// A service's two settings forms: its replica count (PATCH /services/{name}; disabled while the
// service autoscales, see service-autoscaling.js) and, for a model, its dynamic batching (PUT
// …/batching; a max size of 1 turns it off). Each shows the API's field errors beside its controls
// and hands the service as answered to onChanged.
import { api } from './api.js';
import { h, field } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';

function settingsForm(css, title, controls, button, send, onChanged) {
  const summary = h('div', { 'aria-live': 'assertive' });
  const saved = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: css, novalidate: true, 'aria-labelledby': css + '-title' },
    h('h2', { id: css + '-title' }, title), ...controls, summary, saved, button);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFieldErrors(form, summary);
    saved.replaceChildren();
    button.disabled = true;
    try {
      const service = await send();
      saved.replaceChildren(h('p', { class: 'saved', role: 'status' }, 'Saved.'));
      onChanged(service);
    } catch (e) {
      showFieldErrors(form, summary, e);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

/**
 * fill(service) puts the service's present count in the form (not while the user edits it); while
 * the service autoscales, the form is disabled and says between which counts it scales itself.
 */
export function scaleForm(name, onChanged) {
  const replicas = h('input', { name: 'replicas', type: 'number', min: 1, step: 1, required: true, 'data-field': 'replicas' });
  const button = h('button', { type: 'submit', name: 'scale' }, 'Scale');
  const autoscaled = h('p', { class: 'hint autoscaled', hidden: true });
  const form = settingsForm('scale', 'Scale', [autoscaled, field('Replicas', replicas, 'how many replicas serve')],
    button, () => api('PATCH', '/services/' + encodeURIComponent(name), { replicas: Number(replicas.value) }), onChanged);
  return {
    element: form,
    fill(service) {
      if (document.activeElement !== replicas) replicas.value = service.desiredReplicas;
      const bounds = service.autoscaling;
      replicas.disabled = button.disabled = Boolean(bounds);
      autoscaled.hidden = !bounds;
      autoscaled.textContent = bounds ? `Autoscaling is on: the service scales itself between ${bounds.minReplicas}`
        + ` and ${bounds.maxReplicas} replicas.` : '';
    },
  };
}

export function batchingForm(name, onChanged) {
  const maxSize = h('input', { name: 'max-size', type: 'number', min: 1, max: 1024, step: 1, 'data-field': 'max-size' });
  const maxWait = h('input', { name: 'max-wait-ms', type: 'number', min: 0, max: 10000, step: 1, 'data-field': 'max-wait-ms' });
  const form = settingsForm('batching', 'Batching',
    [h('p', { class: 'hint' }, 'Requests that arrive within the wait of the first are sent to one replica together,'
      + ' up to the max size of instances. A max size of 1 turns batching off.'),
    field('Max size (instances)', maxSize, '1 to 1024'), field('Max wait (ms)', maxWait, '0 to 10000')],
    h('button', { type: 'submit', name: 'save-batching' }, 'Save batching'),
    () => api('PUT', `/services/${encodeURIComponent(name)}/batching`,
      { 'max-size': Number(maxSize.value), 'max-wait-ms': Number(maxWait.value) }), onChanged);
  return {
    element: form,
    fill(service) {
      if (form.contains(document.activeElement)) return;
      maxSize.value = service.batching?.maxSize ?? 1;
      maxWait.value = service.batching?.maxWaitMs ?? 0;
    },
  };
}
