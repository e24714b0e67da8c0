// One job: its status, a progress bar (done of total, rate, time left; while it reads its input
// through, how far), which replica on which node has how many tasks done, its output to download once
// it SUCCEEDED, and cancel while it runs. Asked again every 2 s until it ends.
import { api, ROOT } from './api.js';
import { h, show, errorBox, confirmDialog } from './dom.js';
import { statusBadge } from './environments.js';
import { progressText } from './jobs.js';
import { sizeText } from './dataset-upload.js';

const EVERY_MS = 2000;
const ENDED = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

function eta(seconds) {
  if (seconds === undefined || seconds === null) return 'unknown';
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`
    : s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

export async function jobPage(id) {
  const path = '/jobs/' + encodeURIComponent(id);
  const article = h('article', { class: 'job', 'data-job': id });
  const facts = h('dl', { class: 'facts' });
  const progress = h('div', { class: 'progress' });
  const body = h('tbody');
  const actions = h('div', { class: 'actions' });
  const message = h('div', { 'aria-live': 'polite' });
  let timer = null;
  let stopped = false;

  function render(job) {
    article.dataset.status = job.status;
    const p = job.progress || {};
    facts.replaceChildren(
      h('dt', {}, 'Status'), h('dd', {}, statusBadge(job.status)),
      h('dt', {}, 'Service'), h('dd', {}, h('a', { href: '#/services/' + encodeURIComponent(job.service) }, job.service)),
      h('dt', {}, 'Owner'), h('dd', {}, job.owner || ''),
      h('dt', {}, 'Input'), h('dd', {}, `${job.input?.dataset} version ${job.input?.version}`),
      h('dt', {}, 'Batch size'), h('dd', {}, String(job.batchSize)),
      ...(job.output ? [h('dt', {}, 'Output'), h('dd', {}, `${job.output.dataset} version ${job.output.version}`)] : []),
      ...(job.error ? [h('dt', {}, 'Error'), h('dd', { class: 'error' }, job.error)] : []),
      h('dt', {}, 'Created'), h('dd', {}, job.createdAt ? new Date(job.createdAt).toLocaleString() : ''),
      ...(job.finishedAt ? [h('dt', {}, 'Finished'), h('dd', {}, new Date(job.finishedAt).toLocaleString())] : []));
    const r = job.reading;
    progress.replaceChildren(...r ? [
      h('label', { for: 'job-progress' }, `Reading the input: ${sizeText(r.bytes)} of ${sizeText(r.totalBytes)}`),
      h('progress', { id: 'job-progress', max: r.totalBytes || 1, value: r.bytes, 'data-reading': r.bytes }),
    ] : [
      h('label', { for: 'job-progress' }, `${progressText(job)} records; `
        + `${Number(p.rate ?? 0).toFixed(1)} records per second; time left ${ENDED.includes(job.status) ? 'none' : eta(p.etaSeconds)}`),
      h('progress', { id: 'job-progress', max: p.total || 1, value: p.done || 0, 'data-done': p.done ?? 0,
        'data-total': p.total ?? '' })]);
    body.replaceChildren(...(job.assignments || []).map(a => h('tr', { 'data-replica': a.replica },
      h('th', { scope: 'row' }, h('a', { href: '#/environments/' + encodeURIComponent(a.replica) }, a.replica)),
      h('td', {}, String(a.tasks)),
      h('td', {}, String(a.done)),
      h('td', {}, a.node || ''))));
    actions.replaceChildren(...[
      job.status === 'SUCCEEDED' ? h('a', { class: 'button download', href: `${ROOT}${path}/output`,
        download: `${id}-output.jsonl` }, 'Download the output') : null,
      ENDED.includes(job.status) ? null
        : h('button', { type: 'button', name: 'cancel', class: 'danger', onclick: cancel }, 'Cancel'),
    ].filter(Boolean));
    return job;
  }

  async function cancel() {
    if (!await confirmDialog(`Cancel the job ${id}? What it predicted so far is not kept.`, 'Cancel the job')) return;
    try {
      const answer = await api('DELETE', path);
      if (answer) render(answer);
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  async function refresh() {
    let job = null;
    try {
      job = render(await api('GET', path));
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
    if (!stopped && !(job && ENDED.includes(job.status))) timer = setTimeout(refresh, EVERY_MS);
  }

  const first = render(await api('GET', path));
  article.replaceChildren(
    h('h1', {}, 'Job ', id),
    h('p', {}, h('a', { href: '#/jobs' }, 'All jobs')),
    facts, progress, actions, message,
    h('section', { 'aria-labelledby': 'assignments-title' }, h('h2', { id: 'assignments-title' }, 'Assignments'),
      h('table', { class: 'assignments' },
        h('caption', { class: 'visually-hidden' }, 'Which replica, on which node, has how many tasks done'),
        h('thead', {}, h('tr', {}, ['Replica', 'Tasks', 'Done', 'Node'].map(c => h('th', { scope: 'col' }, c)))),
        body)));
  show(article);
  if (!ENDED.includes(first.status)) timer = setTimeout(refresh, EVERY_MS);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
