// A minimal terminal over the exec WebSocket (GET /environments/{id}/exec?command=…&tty=true):
// keystrokes go out as binary frames, output comes back as binary frames and is drawn as lines
// (carriage return, backspace and line erasing understood; colours and cursor addressing dropped);
// {"type":"resize"} when the box changes size, {"type":"exit","exitCode":N} last.
import { ROOT } from './api.js';
import { h } from './dom.js';

const MAX_LINES = 2000;
const KEYS = {
  Enter: '\r', Backspace: '\x7f', Tab: '\t', Escape: '\x1b', Delete: '\x1b[3~',
  ArrowUp: '\x1b[A', ArrowDown: '\x1b[B', ArrowRight: '\x1b[C', ArrowLeft: '\x1b[D', Home: '\x1b[H', End: '\x1b[F',
};

/** A screen of lines with a cursor column on the last one. */
class Screen {
  constructor(element) {
    this.element = element;
    this.lines = [''];
    this.column = 0;
    this.pending = '';
  }

  write(text) {
    let data = this.pending + text;
    this.pending = '';
    for (let i = 0; i < data.length; i++) {
      const c = data[i];
      if (c === '\x1b') {
        const rest = data.slice(i);
        const csi = /^\x1b\[[0-?]*[ -/]*[@-~]/.exec(rest);
        const osc = /^\x1b\][^\x07\x1b]*(\x07|\x1b\\)/.exec(rest);
        const other = /^\x1b[@-Z\\-_]/.exec(rest);
        const match = csi || osc || (rest.startsWith('\x1b[') || rest.startsWith('\x1b]') ? null : other);
        if (!match) {
          // An escape cut in two by the frames: wait for its end.
          this.pending = rest;
          break;
        }
        if (csi) this.control(match[0]);
        i += match[0].length - 1;
      } else if (c === '\r') this.column = 0;
      else if (c === '\n') this.newLine();
      else if (c === '\b') this.column = Math.max(0, this.column - 1);
      else if (c >= ' ' || c === '\t') this.put(c);
    }
    this.draw();
  }

  control(sequence) {
    const final = sequence[sequence.length - 1];
    const line = this.lines.length - 1;
    if (final === 'K') this.lines[line] = this.lines[line].slice(0, this.column);
    else if (final === 'J' && sequence.includes('2')) {
      this.lines = [''];
      this.column = 0;
    } else if (final === 'C') this.column += parseInt(sequence.slice(2), 10) || 1;
    else if (final === 'D') this.column = Math.max(0, this.column - (parseInt(sequence.slice(2), 10) || 1));
  }

  put(c) {
    const last = this.lines.length - 1;
    const line = this.lines[last].padEnd(this.column, ' ');
    this.lines[last] = line.slice(0, this.column) + c + line.slice(this.column + 1);
    this.column++;
  }

  newLine() {
    this.lines.push('');
    this.column = 0;
    if (this.lines.length > MAX_LINES) this.lines.splice(0, this.lines.length - MAX_LINES);
  }

  draw() {
    this.element.textContent = this.lines.join('\n');
    this.element.scrollTop = this.element.scrollHeight;
  }
}

/** Opens a terminal into {@code place}; answers what closes it. */
export function openTerminal(place, id, command) {
  const screen = h('pre', {
    class: 'terminal', tabindex: 0, role: 'textbox', 'aria-multiline': 'true',
    'aria-label': 'Terminal: type to send keystrokes to ' + command,
  });
  const state = h('p', { class: 'terminal-state', role: 'status' }, 'Connecting…');
  place.replaceChildren(state, screen);
  const output = new Screen(screen);
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const words = command.split(/\s+/).filter(Boolean).map(w => 'command=' + encodeURIComponent(w)).join('&');
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(`${scheme}//${location.host}${ROOT}/environments/${encodeURIComponent(id)}/exec?${words}&tty=true`);
  socket.binaryType = 'arraybuffer';

  const send = text => socket.readyState === WebSocket.OPEN && socket.send(encoder.encode(text));
  function resize() {
    if (socket.readyState !== WebSocket.OPEN) return;
    const probe = h('span', {}, 'M');
    screen.append(probe);
    const { width, height } = probe.getBoundingClientRect();
    probe.remove();
    const cols = Math.max(20, Math.floor(screen.clientWidth / (width || 8)) - 1);
    const rows = Math.max(5, Math.floor(screen.clientHeight / (height || 16)));
    socket.send(JSON.stringify({ type: 'resize', cols, rows }));
  }

  socket.addEventListener('open', () => {
    state.textContent = 'Connected: ' + command;
    resize();
    screen.focus();
  });
  socket.addEventListener('message', event => {
    if (typeof event.data === 'string') {
      const frame = JSON.parse(event.data);
      if (frame.type === 'exit') {
        state.textContent = `${command} exited with code ${frame.exitCode}`;
        state.dataset.exitCode = frame.exitCode;
      }
    } else {
      output.write(decoder.decode(event.data, { stream: true }));
    }
  });
  socket.addEventListener('close', event => {
    if (!state.dataset.exitCode) {
      state.textContent = event.code === 1000 ? 'Closed' : `The terminal could not open or was cut (${event.code})`;
    }
  });
  screen.addEventListener('keydown', event => {
    let text = null;
    if (event.ctrlKey && !event.altKey && event.key.length === 1 && /[a-z@\[\\\]^_]/i.test(event.key)) {
      text = String.fromCharCode(event.key.toUpperCase().charCodeAt(0) & 0x1f);
    } else if (KEYS[event.key]) text = KEYS[event.key];
    else if (event.key.length === 1 && !event.metaKey && !event.ctrlKey) text = event.key;
    if (text !== null) {
      event.preventDefault();
      send(text);
    }
  });
  screen.addEventListener('paste', event => {
    event.preventDefault();
    send(event.clipboardData.getData('text'));
  });
  window.addEventListener('resize', resize);
  return () => {
    window.removeEventListener('resize', resize);
    socket.close(1000);
  };
}
