// The browser terminal: xterm.js (from its webjar, loaded as a classic script) over the service's WebSocket.
// A single-use ticket from an authenticated call opens the socket: browsers cannot send the bearer header there.
import { api } from '../api.js';
import { h, errorBox } from '../dom.js';

export function openTerminal(content, name) {
  const box = h('div.term', { 'data-test': 'terminal' });
  const state = h('span.muted', 'connecting…');
  const reconnect = h('button.small', { type: 'button', hidden: true, onclick: () => { reconnect.hidden = true; connect(); } }, 'Reconnect');
  content.replaceChildren(h('div.panel', h('div.panel-body',
    h('div.toolbar', h('strong', 'Shell'), h('span.muted', 'bash where the image has it, else sh · Ctrl-C interrupts · resize follows the window'), h('span.right', state), reconnect),
    h('div.spacer'), box)));

  // the DOM renderer keeps the screen's text in the page: screen readers (and the browser tests) can read it
  const term = new window.Terminal({ rendererType: 'dom', cursorBlink: true, fontSize: 13, fontFamily: 'ui-monospace, Menlo, Consolas, monospace', theme: { background: '#0d1117' } });
  const fit = new window.FitAddon.FitAddon();
  term.loadAddon(fit);
  term.open(box);
  fit.fit();
  let socket = null;
  let closed = false;

  const send = (message) => { if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message)); };
  const input = term.onData((data) => send({ type: 'input', data }));
  const resized = term.onResize(({ cols, rows }) => send({ type: 'resize', cols, rows }));
  const onWindow = () => fit.fit();
  window.addEventListener('resize', onWindow);

  async function connect() {
    state.textContent = 'connecting…';
    let ticket;
    try {
      ticket = await api.post(`/replicaSet/${encodeURIComponent(name)}/terminal`);
    } catch (e) {
      state.replaceChildren(errorBox(e));
      return;
    }
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const base = location.pathname.replace(/[^/]*$/, '');
    socket = new WebSocket(`${scheme}://${location.host}${base}${ticket.path.replace(/^\//, '')}&cols=${term.cols}&rows=${term.rows}`);
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => { state.textContent = 'connected'; term.focus(); };
    socket.onmessage = (e) => term.write(typeof e.data === 'string' ? e.data : new Uint8Array(e.data));
    socket.onclose = (e) => {
      if (closed) return;
      state.textContent = e.reason ? `closed: ${e.reason}` : 'disconnected';
      state.dataset.test = 'terminal-closed';
      reconnect.hidden = false;
    };
  }
  connect();

  return () => {
    closed = true;
    socket?.close();
    input.dispose();
    resized.dispose();
    window.removeEventListener('resize', onWindow);
    term.dispose();
  };
}
