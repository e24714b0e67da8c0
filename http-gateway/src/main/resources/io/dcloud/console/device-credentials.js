// A device's MQTT credentials as the API answers them once (on create and on rotate): the secret is
// never shown again, so the box says so and offers a copy button; it stays until the page changes.
import { h } from './dom.js';

/** {username, password, broker} in a box with a warning, each value selectable and the password copyable. */
export function credentialsBox(device, credentials) {
  const copied = h('span', { class: 'copied', role: 'status' });
  const password = h('input', { id: 'credentials-password', name: 'credentials-password', readonly: true,
    value: credentials.password, class: 'secret', autocomplete: 'off', spellcheck: 'false' });

  async function copy() {
    try {
      await navigator.clipboard.writeText(credentials.password);
      copied.textContent = 'Copied.';
    } catch {
      // No clipboard (an insecure origin, a refusal): the value is selected for the user to copy.
      password.select();
      copied.textContent = 'Selected: copy it with Ctrl+C.';
    }
  }

  return h('section', { class: 'credentials', 'aria-labelledby': 'credentials-title', 'data-device': device },
    h('h3', { id: 'credentials-title' }, `Credentials of ${device}`),
    h('p', { class: 'warning', role: 'alert' },
      'Copy the password now: it is shown this once. Rotate the credentials to get a new one.'),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Username'), h('dd', { class: 'credentials-username' }, credentials.username),
      h('dt', {}, h('label', { for: password.id }, 'Password')), h('dd', {}, password,
        h('button', { type: 'button', name: 'copy-password', onclick: copy }, 'Copy the password'), ' ', copied),
      h('dt', {}, 'Broker'), h('dd', { class: 'credentials-broker' }, credentials.broker)));
}
