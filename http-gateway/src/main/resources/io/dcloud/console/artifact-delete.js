// An app or a model deleted whole, as dcloud apps|models rm does: its service, then every version of
// its dataset once the replicas that mount it have stopped (the gateway answers 409 until then).
import { api } from './api.js';
import { h, confirmDialog } from './dom.js';

/** False when the user did not confirm; {@code say} shows progress. */
export async function deleteWhole(kind, name, dataset, say) {
  if (!await confirmDialog(`Delete ${kind} ${name}: its service and every version?`, 'Delete')) return false;
  await api('DELETE', `/services/${encodeURIComponent(name)}`).catch(e => { if (e.status !== 404) throw e; });
  say(h('p', { role: 'status' }, `Deleting ${name}: waiting for its replicas to stop…`));
  const path = '/datasets/' + dataset.split('/').map(encodeURIComponent).join('/');
  for (const deadline = Date.now() + 120000; ;) {
    try {
      await api('DELETE', path);
      return true;
    } catch (e) {
      if (e.status !== 409 || Date.now() > deadline) throw e;
      await new Promise(resolve => setTimeout(resolve, 1000));
    }
  }
}
