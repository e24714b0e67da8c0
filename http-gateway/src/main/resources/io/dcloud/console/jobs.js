// Batch inference jobs: the caller's (GET /jobs; an admin's: all), and a new one submitted (POST
// /jobs: a model service, an input dataset and version, a batch size), with the API's field errors
// beside the controls; a submitted job's page is shown next.
import { api } from './api.js';
import { h, show, errorBox, field } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';
import { statusBadge } from './environments.js';

const EVERY_MS = 3000;

/** The names of what the caller may list, or none where the API answers nothing. */
async function names(path, key, pick) {
  try {
    return (await api('GET', path))[key].filter(pick).map(x => x.name ?? x.dataset);
  } catch {
    return [];
  }
}

export function progressText(job) {
  const p = job.progress || {};
  return `${p.done ?? 0} of ${p.total ?? '?'}`;
}

function submitForm(services, datasets) {
  const controls = {
    service: h('select', { name: 'service', required: true, 'data-field': 'service' },
      h('option', { value: '' }, '—'), services.map(s => h('option', { value: s }, s))),
    dataset: h('input', { name: 'dataset', list: 'job-datasets', required: true, placeholder: 'category/db/name',
      autocomplete: 'off', 'data-field': 'input.dataset' }),
    version: h('input', { name: 'version', placeholder: 'latest', autocomplete: 'off', 'data-field': 'input.version' }),
    batchSize: h('input', { name: 'batch-size', type: 'number', min: 1, max: 10000, step: 1, value: 32,
      'data-field': 'batch-size' }),
  };
  const summary = h('div', { 'aria-live': 'assertive' });
  const form = h('form', { class: 'submit-job', novalidate: true, 'aria-labelledby': 'submit-job-title' },
    h('h2', { id: 'submit-job-title' }, 'Submit a job'),
    field('Service', controls.service, 'a model service of yours'),
    field('Input dataset', controls.dataset, 'JSON lines, one instance a line (or a directory of such files)'),
    h('datalist', { id: 'job-datasets' }, datasets.map(d => h('option', { value: d }))),
    field('Version', controls.version, 'a version number; empty: the latest'),
    field('Batch size', controls.batchSize, 'instances per task, 1 to 10000'),
    summary, h('button', { type: 'submit', name: 'submit-job' }, 'Submit'));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFieldErrors(form, summary);
    const version = controls.version.value.trim();
    const request = {
      service: controls.service.value,
      input: { dataset: controls.dataset.value.trim(), version: !version || version === 'latest' ? 'latest'
        : /^\d+$/.test(version) ? Number(version) : version },
      'batch-size': controls.batchSize.value === '' ? undefined : Number(controls.batchSize.value),
    };
    try {
      const job = await api('POST', '/jobs', request);
      location.hash = '#/jobs/' + encodeURIComponent(job.id);
    } catch (e) {
      showFieldErrors(form, summary, e);
    }
  });
  return form;
}

export async function jobsPage() {
  const body = h('tbody');
  const message = h('div', { 'aria-live': 'polite' });
  let timer = null;
  let stopped = false;

  async function load() {
    try {
      const answer = await api('GET', '/jobs');
      const jobs = Array.isArray(answer) ? answer : answer.jobs || [];
      body.replaceChildren(...jobs.map(j => h('tr', { 'data-job': j.id, 'data-status': j.status },
        h('th', { scope: 'row' }, h('a', { href: '#/jobs/' + encodeURIComponent(j.id) }, j.id)),
        h('td', {}, statusBadge(j.status)),
        h('td', {}, progressText(j)),
        h('td', {}, j.service),
        h('td', {}, j.createdAt ? new Date(j.createdAt).toLocaleString() : ''))));
      message.replaceChildren(jobs.length ? '' : h('p', { class: 'empty' }, 'No jobs yet.'));
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
    if (!stopped) timer = setTimeout(load, EVERY_MS);
  }

  const [services, datasets] = await Promise.all([
    names('/services', 'services', s => s.kind === 'model'), names('/datasets', 'datasets', () => true)]);
  await load();
  show(
    h('h1', {}, 'Jobs'),
    message,
    h('table', { class: 'jobs' },
      h('caption', { class: 'visually-hidden' }, 'Your batch inference jobs'),
      h('thead', {}, h('tr', {}, ['Job', 'Status', 'Done', 'Service', 'Created'].map(c => h('th', { scope: 'col' }, c)))),
      body),
    submitForm(services, datasets));
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
