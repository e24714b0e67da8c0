// Building the page without innerHTML: every text from the API is a text node, never markup.

/** h('p', {class: 'x', onclick: f}, 'text', child…) */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (value === true) element.setAttribute(key, '');
    else element.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Replaces the page's content and moves focus to it (screen readers hear the new page). */
export function show(...children) {
  const main = document.getElementById('main');
  main.replaceChildren(...children);
  main.focus({ preventScroll: true });
  return main;
}

/** An error in words, where it happened. */
export function errorBox(error) {
  return h('p', { class: 'error', role: 'alert' }, error instanceof Error ? error.message : String(error));
}

/** A labelled control: the label's for= names the control's id. */
export function field(label, control, hint) {
  const id = control.id || (control.id = 'f-' + Math.random().toString(36).slice(2));
  const help = hint ? h('small', { id: id + '-hint' }, hint) : null;
  if (help) control.setAttribute('aria-describedby', help.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, help,
    h('span', { class: 'field-error', id: id + '-error', role: 'alert' }));
}

/**
 * Asks before a change that cannot be taken back, in a modal dialog (keyboard and screen readers
 * get a real dialog; no window.confirm).
 */
export function confirmDialog(question, action) {
  return new Promise(resolve => {
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-question' },
      h('p', { id: 'confirm-question' }, question),
      h('form', { method: 'dialog' },
        h('button', { value: 'cancel', type: 'submit' }, 'Cancel'),
        h('button', { value: 'ok', type: 'submit', class: 'danger', 'data-confirm': 'ok' }, action)));
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'ok');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** "a, b,,c " → ['a', 'b', 'c']: names the user typed comma-separated, as the API's list. */
export function commaNames(text) {
  return text.split(',').map(name => name.trim()).filter(Boolean);
}
