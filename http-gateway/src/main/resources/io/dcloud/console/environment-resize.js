// Other CPU, RAM or GPUs for an environment (POST /environments/{id}/resize, as `dcloud env resize`),
// after the user confirms for a running one: its CPU and RAM change as it runs (the form says when its
// node has applied them), other GPUs restart it on its node; a stopped one takes them at its next
// start. The API's field errors (resources.cpu…), quota and room refusals show beside the form.
import { api } from './api.js';
import { h, field, confirmDialog } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';

const RESIZABLE = ['RUNNING', 'STOPPED', 'FAILED', 'LOST'];

/** The resize section of environment id; fill(environment) shows its resources now, onResized gets the API's answer. */
export function resizeSection(id, onResized) {
  const cpu = h('input', { name: 'resize-cpu', 'data-field': 'resources.cpu', inputmode: 'decimal' });
  const ram = h('input', { name: 'resize-ram', 'data-field': 'resources.ram' });
  const gpu = h('input', { name: 'resize-gpu', 'data-field': 'resources.gpu', type: 'number', min: 0 });
  const summary = h('div', { 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', name: 'resize' }, 'Resize');
  const form = h('form', { class: 'resize', novalidate: true, 'aria-labelledby': 'resize-title' },
    h('h2', { id: 'resize-title' }, 'Resources'),
    h('div', { class: 'fields' }, field('CPU (cores)', cpu), field('RAM', ram, 'e.g. 512M or 4GB'), field('GPUs', gpu)),
    summary, h('div', { class: 'actions' }, button));
  let current = null;
  /** A resize as it runs was answered: the form says so once its node has applied the limits. */
  let awaitingLimits = false;

  function said(text) {
    summary.replaceChildren(h('p', { class: 'saved', role: 'status' }, text));
  }

  function fill(environment) {
    const resources = environment.resources || {};
    const changed = JSON.stringify(resources) !== JSON.stringify(current?.resources);
    current = environment;
    // The user's typing stays until the environment's resources change.
    if (changed) {
      cpu.value = resources.cpu ?? '';
      ram.value = resources.ram ?? '';
      gpu.value = resources.gpu ?? 0;
    }
    if (awaitingLimits && !environment.resizing) {
      awaitingLimits = false;
      said(environment.status === 'RUNNING' ? 'Resized: it runs with them now.' : `Resized: it is ${environment.status} now.`);
    }
    button.disabled = !RESIZABLE.includes(environment.status);
    button.title = button.disabled ? `${environment.status}: resize it once it runs or has stopped` : '';
  }

  form.addEventListener('submit', async event => {
    event.preventDefault();
    const running = current.status === 'RUNNING';
    const gpusChange = Number(gpu.value || 0) !== Number(current.resources?.gpu ?? 0);
    const how = gpusChange ? 'It restarts with the new resources.'
      : 'Its CPU and RAM change as it runs (it restarts with them only if its node cannot change them).';
    if (running && !await confirmDialog(`Resize ${current.name}? ${how}`, 'Resize')) return;
    clearFieldErrors(form, summary);
    try {
      const answer = await api('POST', '/environments/' + encodeURIComponent(id) + '/resize',
        { resources: { cpu: cpu.value.trim(), ram: ram.value.trim(), gpu: Number(gpu.value || 0) } });
      awaitingLimits = answer.status === 'RUNNING' && Boolean(answer.resizing);
      said(awaitingLimits ? 'Resized: its node is changing the limits as it runs…'
        : answer.status === 'STOPPING' ? 'Resized: restarting with them.'
        : answer.status === 'RUNNING' ? 'Resized: it runs with them now.' : 'Resized: they apply when it next starts.');
      onResized(answer);
    } catch (e) {
      showFieldErrors(form, summary, e);
    }
  });
  return { element: form, fill };
}
