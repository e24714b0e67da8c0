// The console's shell: who is signed in (the header), sign-in and sign-out, and the hash routes
// (#/environments, #/environments/{id}, #/new, and for configurers and admins #/nodes, #/nodes/{id}/volumes,
// #/catalog) to each page.
// #/templates[/{name}], #/datasets[/{id}], #/volumes, #/account for everyone; #/users[/{username}] for admins (others hear the API's refusal).
// #/usage[?month=YYYY-MM&owner=NAME] for everyone (another owner's and all owners' for admins).
// #/services[/{name}], #/jobs[/{id}], #/devices[/{id}] for everyone (types and devices written by operators); #/models for data scientists, #/apps for app developers.
import { api, ApiError, rememberCsrf } from './api.js';
import { h, show, errorBox, field } from './dom.js';
import { connect, disconnect, listen } from './events.js';
import { environmentsPage } from './environments.js';

/**
 * A page whose module loads when it is first shown: the first page holds the shell and the
 * environments list alone, so every page added later costs a sign-in nothing (ConsoleRouteTest).
 */
const lazy = (module, name) => async (...args) => {
  let loaded;
  try {
    loaded = await import(module);
  } catch (e) {
    throw new Error(`This page's script (${module.slice(2)}) could not be loaded from the gateway: `
      + 'check that it is reachable, then reload.');
  }
  return loaded[name](...args);
};
const environmentPage = lazy('./environment.js', 'environmentPage');
const newEnvironmentPage = lazy('./new-environment.js', 'newEnvironmentPage');
const nodesPage = lazy('./nodes.js', 'nodesPage');
const nodeVolumesPage = lazy('./node-volumes.js', 'nodeVolumesPage');
const myVolumesPage = lazy('./node-volumes.js', 'myVolumesPage');
const catalogPage = lazy('./catalog.js', 'catalogPage');
const accountPage = lazy('./account.js', 'accountPage');
const templatesPage = lazy('./templates.js', 'templatesPage');
const templatePage = lazy('./template.js', 'templatePage');
const usersPage = lazy('./users.js', 'usersPage');
const userPage = lazy('./user.js', 'userPage');
const datasetsPage = lazy('./datasets.js', 'datasetsPage');
const datasetPage = lazy('./dataset.js', 'datasetPage');
const servicesPage = lazy('./services.js', 'servicesPage');
const servicePage = lazy('./service.js', 'servicePage');
const modelsPage = lazy('./models.js', 'modelsPage');
const appsPage = lazy('./apps.js', 'appsPage');
const jobsPage = lazy('./jobs.js', 'jobsPage');
const jobPage = lazy('./job.js', 'jobPage');
const devicesPage = lazy('./devices.js', 'devicesPage');
const devicePage = lazy('./device.js', 'devicePage');
const usagePage = lazy('./usage.js', 'usagePage');

let me = null;
/** Who runs the platform: the API refuses everyone else their pages, so the console does not offer them. */
const OPERATORS = ['admin', 'platform-configurer'];

function operates() {
  return (me?.roles || []).some(role => OPERATORS.includes(role));
}

/** The Users page is the admins': for others the API refuses it, so their nav does not offer it. */
function administers() {
  return (me?.roles || []).includes('admin');
}
/** What the page shown now must stop (its listeners, streams, terminal) when another is shown. */
let leave = () => {};

function header() {
  const who = document.getElementById('who');
  document.getElementById('nav').hidden = !me;
  for (const link of document.querySelectorAll('#nav [data-operators]')) link.hidden = !operates();
  for (const link of document.querySelectorAll('#nav [data-admins]')) link.hidden = !administers();
  // Pages for some roles (and admins): data-roles lists them; the API refuses the others anyway.
  for (const link of document.querySelectorAll('#nav [data-roles]')) {
    link.hidden = !(me?.roles || []).some(role => role === 'admin' || link.dataset.roles.split(' ').includes(role));
  }
  if (!me) {
    who.replaceChildren();
    return;
  }
  const quota = me.quota || {};
  const usage = me.usage || {};
  const used = ['cpu', 'ram', 'gpu', 'environments', 'storage']
    .filter(k => quota[k] !== undefined)
    .map(k => `${k} ${usage[k] ?? 0}/${quota[k]}`).join(' · ');
  who.replaceChildren(
    h('a', { class: 'user', 'data-username': me.username, href: '#/account', title: 'Your account: API tokens, groups' }, me.username),
    h('span', { class: 'roles' }, (me.roles || []).join(', ')),
    h('span', { class: 'quota', title: 'usage / quota' }, used),
    h('button', { type: 'button', id: 'sign-out', onclick: signOut }, 'Sign out'));
}

/** Counts sign-outs: an answer about who is signed in that was asked for before one is stale. */
let signOuts = 0;

/** Reads who is signed in again (after a change that uses quota, say). */
async function refreshMe() {
  const asked = signOuts;
  const answer = await api('GET', '/users/me');
  // A usage refresh sent just before a sign-out must not put the signed-out user back in the header.
  if (asked !== signOuts) return me;
  me = answer;
  header();
  return me;
}

function signInPage(problem) {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const message = h('div', { 'aria-live': 'assertive' }, problem ? errorBox(problem) : null);
  const form = h('form', { class: 'sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in to DCloud'),
    field('Username', username), field('Password', password), message,
    h('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    try {
      const session = await api('POST', '/auth/login', { username: username.value, password: password.value });
      rememberCsrf(session.csrfToken);
      await start();
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  });
  show(form);
  username.focus();
}

async function signOut() {
  signOuts++;
  clearTimeout(usageRefresh);
  usageRefresh = null;
  try {
    await api('POST', '/auth/logout');
  } catch {
    // Signed out already (expired): the sign-in page is right either way.
  }
  me = null;
  rememberCsrf(null);
  disconnect();
  header();
  leave();
  leave = () => {};
  location.hash = '';
  signInPage();
}

async function route() {
  if (!me) return;
  leave();
  leave = () => {};
  const [hash, query] = location.hash.replace(/^#\/?/, '').split('?');
  const [page, id] = hash.split('/');
  try {
    if (page === 'new') leave = await newEnvironmentPage(id && decodeURIComponent(id));
    else if (page === 'nodes' && operates()) leave = await (id ? nodeVolumesPage(decodeURIComponent(id)) : nodesPage());
    else if (page === 'catalog' && operates()) leave = await catalogPage();
    else if (page === 'volumes') leave = await myVolumesPage();
    else if (page === 'account') leave = await accountPage();
    else if (page === 'environments' && id) leave = await environmentPage(decodeURIComponent(id));
    else if (page === 'templates') leave = await (id ? templatePage(decodeURIComponent(id)) : templatesPage());
    else if (page === 'users') leave = await (id ? userPage(decodeURIComponent(id)) : usersPage());
    else if (page === 'datasets') leave = await (id ? datasetPage(decodeURIComponent(id)) : datasetsPage());
    else if (page === 'services') leave = await (id ? servicePage(decodeURIComponent(id)) : servicesPage());
    else if (page === 'models') leave = await modelsPage();
    else if (page === 'apps') leave = await appsPage();
    else if (page === 'jobs') leave = await (id ? jobPage(decodeURIComponent(id)) : jobsPage());
    else if (page === 'usage') leave = await usagePage(new URLSearchParams(query), administers());
    else if (page === 'devices') leave = await (id ? devicePage(decodeURIComponent(id), operates()) : devicesPage(operates()));
    else leave = await environmentsPage(new URLSearchParams(query));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return signInPage(e);
    show(errorBox(e));
  }
  document.title = 'DCloud — ' + (document.querySelector('#main h1')?.textContent || 'console');
}

/** Usage changes with every create, stop and delete: the header follows, at most once a second. */
let usageRefresh = null;
listen(type => {
  if (type !== 'environment' || usageRefresh || !me) return;
  usageRefresh = setTimeout(() => {
    usageRefresh = null;
    refreshMe().catch(() => {});
  }, 1000);
});

async function start() {
  // Every module loaded: boot.js may count reloads afresh next time.
  try {
    sessionStorage.removeItem('dcloud-console-load-retries');
  } catch (unavailable) {
    // No storage: boot.js counted nothing either.
  }
  try {
    await refreshMe();
  } catch (e) {
    me = null;
    header();
    return signInPage(e instanceof ApiError && e.status === 401 ? null : e);
  }
  connect();
  await route();
}

window.addEventListener('hashchange', route);
start();
