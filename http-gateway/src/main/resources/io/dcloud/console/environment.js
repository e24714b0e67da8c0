// One environment: its status (live), build and dataset progress, placement, the status timeline,
// "open", stop/start/restart/delete, group sharing, a resize, its secrets (owner), usage charts, files up and down, its exports, its logs
// (following) and a terminal.
import { api, stream } from './api.js';
import { h, show, errorBox, confirmDialog, field } from './dom.js';
import { listen } from './events.js';
import { statusBadge } from './environments.js';
import { openTerminal } from './terminal.js';
import { statsSection } from './stats-charts.js';
import { filesSection } from './environment-files.js';
import { sharingSection } from './environment-sharing.js';
import { resizeSection } from './environment-resize.js';

const LOG_LIMIT = 200_000;

export async function environmentPage(id) {
  let environment = await api('GET', '/environments/' + encodeURIComponent(id));
  let history = environment.history || [];
  const stops = [];
  const title = h('h1', {});
  const status = h('p', { class: 'env-status' });
  const progress = h('div', { class: 'progress' });
  const facts = h('dl', { class: 'facts' });
  const actions = h('div', { class: 'actions' });
  const message = h('div', { class: 'env-message', 'aria-live': 'polite' });
  const timeline = h('ol', { class: 'timeline' });
  const article = h('article', { class: 'environment', 'data-env-id': id });
  const sharing = sharingSection(id, sharedWith => update({ sharedWith }));
  const resize = resizeSection(id, resized => update(resized));

  function fact(term, value) {
    return value === undefined || value === null || value === '' ? [] : [h('dt', {}, term), h('dd', {}, value)];
  }

  function render() {
    const e = environment;
    article.dataset.status = e.status;
    title.replaceChildren(e.name);
    status.replaceChildren('Status: ', statusBadge(e.status));
    progress.replaceChildren(...(e.status === 'BUILDING' && e.progress
      ? [h('label', { for: 'build-progress' }, `Building the image: step ${e.progress.step} of ${e.progress.steps}`),
        h('progress', { id: 'build-progress', max: e.progress.steps, value: e.progress.step })]
      : []), ...datasetProgress(e));
    facts.replaceChildren(
      ...fact('Owner', e.owner),
      ...fact('Node', e.node),
      ...fact(e.status === 'QUEUED' ? 'Why it waits' : 'Reason', e.reason),
      ...fact('Position in the queue', e.queuePosition),
      ...fact('Restarts', e.restarts),
      ...fact('Next restart', e.restartAt ? h('time', { datetime: e.restartAt }, new Date(e.restartAt).toLocaleString()) : null),
      ...fact('Resources', e.resources ? `${e.resources.cpu} CPU · ${e.resources.ram} RAM · ${e.resources.gpu} GPU`
        + (e.resources.storage && e.resources.storage !== '0B' ? ` · ${e.resources.storage} storage` : '') : null),
      ...fact('Image', e.image),
      ...fact('Datasets', (e.datasets || []).map(d => `${d.category}/${d.db}/${d.name} v${d.version}`).join(', ')),
      ...fact('Ports', (e.ports || []).map(portText).join(', ')),
      ...fact('Open', e.url ? h('a', { href: e.url, target: '_blank', rel: 'noopener', class: 'open' }, e.url) : null));
    const running = ['REQUESTED', 'QUEUED', 'PLACED', 'PREPARING', 'BUILDING', 'STARTING', 'RUNNING'].includes(e.status);
    actions.replaceChildren(...[
      running ? h('button', { type: 'button', name: 'stop', onclick: () => change('stop') }, 'Stop') : null,
      e.status === 'RUNNING' ? h('button', { type: 'button', name: 'restart', onclick: restart }, 'Restart') : null,
      !running && e.status !== 'DELETED' && e.status !== 'STOPPING'
        ? h('button', { type: 'button', name: 'start', onclick: () => change('start') }, 'Start') : null,
      e.status !== 'DELETED'
        ? h('button', { type: 'button', name: 'delete', class: 'danger', onclick: () => change('delete') }, 'Delete') : null,
    ].filter(Boolean));
    timeline.replaceChildren(...history.map(step => h('li', {},
      h('time', { datetime: step.at }, new Date(step.at).toLocaleString()), ' ',
      statusBadge(step.status), ' ', step.message || '')));
    sharing.fill(e.sharedWith);
    resize.fill(e);
  }

  // Where a published port is on its machine, and (while it runs) at the container's own address on its
  // network, which the machine's proxy and probes use: what an operator compares with `docker ps`.
  function portText(p) {
    const host = p.hostPort == null ? '—' : `${p.hostIp ? p.hostIp + ':' : ''}${p.hostPort}`;
    const inside = p.containerAddress ? ` (container ${p.containerAddress.includes(':') ? `[${p.containerAddress}]` : p.containerAddress}:${p.containerPort})` : '';
    return `${p.containerPort}/${p.protocol} → ${host}${inside}`;
  }

  // Fetch progress is not a status change, so the event stream does not carry it: asked for while PREPARING.
  let preparingPoll = null;
  function datasetProgress(e) {
    if (e.status === 'PREPARING' && !preparingPoll) {
      preparingPoll = setInterval(() => api('GET', '/environments/' + encodeURIComponent(id)).then(update)
        .catch(() => {}), 1000);
      stops.push(() => clearInterval(preparingPoll));
    } else if (e.status !== 'PREPARING' && preparingPoll) {
      clearInterval(preparingPoll);
      preparingPoll = null;
    }
    return e.status === 'PREPARING' ? preparing(e.progress) : [];
  }

  async function change(what) {
    const question = what === 'delete'
      ? `Delete ${environment.name}? Its container and temporary volumes are removed.`
      : `${what === 'stop' ? 'Stop' : 'Start'} ${environment.name}?`;
    if (!await confirmDialog(question, what[0].toUpperCase() + what.slice(1))) return;
    try {
      const path = '/environments/' + encodeURIComponent(id);
      const answer = what === 'delete' ? await api('DELETE', path) : await api('POST', path + '/' + what);
      if (answer) update(answer);
      message.replaceChildren(h('p', {}, `${what} requested`));
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  /** Stop, then start again on its node (as `dcloud env restart`): DCloud carries it through; the page's event stream shows it. */
  async function restart() {
    if (!await confirmDialog(`Restart ${environment.name}? Its container is stopped and started again.`, 'Restart')) return;
    try {
      update(await api('POST', '/environments/' + encodeURIComponent(id) + '/restart'));
      message.replaceChildren(h('p', {}, 'restart requested'));
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  function update(changed) {
    const steps = changed.history || [];
    for (const step of steps) {
      if (!history.some(s => s.at === step.at && s.status === step.status)) history = [...history, step];
    }
    // An answer can come after an event newer than it (DELETE answers STOPPING; the stream may have
    // said DELETED 40 ms later, before the answer was read): an older state only adds its history.
    const stale = Date.parse(changed.updatedAt) < Date.parse(environment.updatedAt);
    environment = stale ? { ...environment, history } : { ...environment, ...changed, history };
    render();
  }

  render();
  article.replaceChildren(title, status, progress, facts, actions, message,
    h('section', { 'aria-labelledby': 'timeline-title' }, h('h2', { id: 'timeline-title' }, 'Timeline'), timeline),
    sharing.element,
    resize.element,
    secretsPlace(id, environment),
    statsSection(id, () => environment.status, stops),
    filesSection(id, environment.name, () => environment.status),
    logsSection(id, stops),
    terminalSection(id, () => environment.status, stops));
  show(article);
  stops.push(listen((type, data) => {
    if (type === 'environment' && data.id === id) update(data);
    if (type === 'reset') api('GET', '/environments/' + encodeURIComponent(id)).then(e => {
      history = e.history || [];
      environment = e;
      render();
    }).catch(() => {});
  }));
  return () => stops.forEach(stop => stop());
}

/** Where the Secrets section goes when the environment has secret-env (its module loaded only then). */
function secretsPlace(id, environment) {
  const place = h('div');
  const names = Object.keys(environment.spec?.['secret-env'] || {});
  if (names.length) {
    import('./environment-secrets.js').then(module => place.replaceChildren(module.secretsSection(id, names)))
      .catch(e => place.replaceChildren(errorBox(e)));
  }
  return place;
}

/** The node copies the environment's datasets into its cache: how far, where it says (unknown: a bar that only moves). */
function preparing(progress) {
  const known = progress && progress.totalBytes;
  const mib = n => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return [h('label', { for: 'prepare-progress' }, 'Preparing its datasets'
      + (known ? `: ${mib(progress.bytes)} of ${mib(progress.totalBytes)}` : '')),
    h('progress', known ? { id: 'prepare-progress', max: progress.totalBytes, value: progress.bytes }
      : { id: 'prepare-progress' })];
}

function logsSection(id, stops) {
  const output = h('pre', { class: 'logs', tabindex: 0, role: 'log', 'aria-label': 'Logs' });
  const follow = h('input', { type: 'checkbox', name: 'follow', checked: true });
  const timestamps = h('input', { type: 'checkbox', name: 'timestamps' });
  const button = h('button', { type: 'button', name: 'logs' }, 'Show logs');
  const message = h('div');
  let controller = null;
  async function read() {
    if (controller) controller.abort();
    controller = new AbortController();
    output.textContent = '';
    message.replaceChildren();
    try {
      const reader = await stream(`/environments/${encodeURIComponent(id)}/logs?tail=500&follow=${follow.checked}`
        + `&timestamps=${timestamps.checked}`, controller.signal);
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        output.textContent = (output.textContent + value).slice(-LOG_LIMIT);
        output.scrollTop = output.scrollHeight;
      }
    } catch (e) {
      if (e.name !== 'AbortError') message.replaceChildren(errorBox(e));
    }
  }
  button.addEventListener('click', read);
  stops.push(() => controller && controller.abort());
  return h('section', { 'aria-labelledby': 'logs-title' }, h('h2', { id: 'logs-title' }, 'Logs'),
    h('div', { class: 'toolbar' }, h('label', {}, follow, ' Follow'), h('label', {}, timestamps, ' Timestamps'), button),
    message, output);
}

function terminalSection(id, statusNow, stops) {
  const command = h('input', { name: 'shell', value: 'bash' });
  const button = h('button', { type: 'button', name: 'open-terminal' }, 'Open a terminal');
  const place = h('div');
  button.addEventListener('click', () => {
    if (statusNow() !== 'RUNNING') {
      place.replaceChildren(errorBox('the environment is not RUNNING'));
      return;
    }
    stops.push(openTerminal(place, id, command.value.trim() || 'bash'));
  });
  return h('section', { 'aria-labelledby': 'terminal-title' }, h('h2', { id: 'terminal-title' }, 'Terminal'),
    h('div', { class: 'toolbar' }, field('Shell', command), button), place);
}
