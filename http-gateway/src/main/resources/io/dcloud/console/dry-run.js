// Live validation and the preview: a moment after the form last changed, its request goes to the
// API as a dry run (POST /environments?dryRun=true: nothing is created or reserved); its field
// errors are shown beside the fields, and the request's YAML, the Dockerfile and where the
// scheduler would place it in the preview panel.
import { api, ApiError } from './api.js';
import { h } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';

/** Long enough that typing a value sends one request, not one per key. */
const QUIET_MS = 400;

const OUTCOMES = {
  fits: p => `Would run on node ${p.node}` + (p.gpus?.length ? ` with GPU ${p.gpus.join(', ')}` : ''),
  queued: () => 'Would wait in the queue',
  never: () => 'No node could ever run it',
  unknown: () => 'Where it would run is not known now',
};

/**
 * Whether this gateway does dry runs (its API description lists the parameter): one that does not
 * would ignore dryRun=true and create the environment on every change.
 */
async function gatewayDryRuns() {
  try {
    const description = await api('GET', '/openapi.json');
    const named = p => (p.$ref ? description.components?.parameters?.[p.$ref.split('/').pop()] : p)?.name;
    return (description.paths?.['/environments']?.post?.parameters || []).some(p => named(p) === 'dryRun');
  } catch {
    return false;
  }
}

/** The preview panel for form; request() answers the form's config. */
export async function dryRunPreview(form, summary, request) {
  const state = h('p', { class: 'preview-state', role: 'status' }, 'The preview follows the form as you fill it in.');
  const placement = h('p', { class: 'preview-placement' });
  const yaml = h('pre', { class: 'preview-yaml', tabindex: 0 });
  const dockerfile = h('pre', { class: 'preview-dockerfile', tabindex: 0 });
  const element = h('section', { class: 'preview', 'aria-labelledby': 'preview-title' },
    h('h2', { id: 'preview-title' }, 'Preview'), state,
    h('h3', {}, 'Where it would run'), placement,
    h('h3', {}, 'The request (YAML)'), yaml,
    h('h3', {}, 'The Dockerfile'), dockerfile);
  let available = await gatewayDryRuns();
  let timer = null;
  let sent = 0;

  function unavailable() {
    available = false;
    state.textContent = 'This gateway has no preview: the form is checked when it is submitted.';
  }

  async function run() {
    const mine = ++sent;
    try {
      const answer = await api('POST', '/environments?dryRun=true', request());
      if (mine !== sent) return;
      clearFieldErrors(form, summary);
      const p = answer.placement || {};
      placement.dataset.outcome = p.outcome || '';
      placement.textContent = (OUTCOMES[p.outcome] || (() => p.outcome))(p) + (p.reason ? `: ${p.reason}` : '');
      yaml.textContent = answer.yaml || '';
      dockerfile.textContent = answer.dockerfile || '';
      state.textContent = 'The form is valid.';
    } catch (e) {
      if (mine !== sent) return;
      if (e instanceof ApiError && (e.status === 404 || e.status === 405)) return unavailable();
      clearFieldErrors(form, summary);
      showFieldErrors(form, summary, e, true);
      state.textContent = 'The form has problems: they are shown beside the fields.';
    }
  }

  if (!available) unavailable();
  return {
    element,
    /** Checks the form again once it has been quiet for a moment. */
    schedule() {
      if (!available) return;
      clearTimeout(timer);
      timer = setTimeout(run, QUIET_MS);
    },
    /** On submit: a dry run still under way must not redraw the submit's errors. */
    cancel() {
      clearTimeout(timer);
      sent++;
    },
  };
}
