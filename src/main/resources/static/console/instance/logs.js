// The logs tab: the container's last lines, or its output followed live.
import { api } from '../api.js';
import { h, errorBox } from '../dom.js';

/** Returns the cleanup that closes an open stream. */
export function openLogs(content, path) {
  const out = h('pre.logs', { 'data-test': 'logs', tabindex: 0, 'aria-label': 'Container output' });
  const follow = h('input', { type: 'checkbox', id: 'follow', 'data-test': 'follow' });
  const tail = h('select', { 'aria-label': 'Lines', id: 'tail' }, [100, 500, 2000].map((n) => h('option', { value: n }, `last ${n} lines`)), h('option', { value: -1 }, 'everything'));
  const state = h('span.muted');
  let controller = null;
  const write = (text) => {
    const atEnd = out.scrollTop + out.clientHeight >= out.scrollHeight - 20;
    out.append(text.replace(/\r\n/g, '\n'));
    if (atEnd) out.scrollTop = out.scrollHeight;
  };
  async function load() {
    controller?.abort();
    controller = new AbortController();
    out.textContent = '';
    state.textContent = follow.checked ? 'following…' : '';
    try {
      await api.stream(`${path}/logs?tail=${tail.value}&follow=${follow.checked}`, write, controller.signal);
      if (follow.checked) state.textContent = 'the stream ended (container stopped or idle)';
    } catch (e) {
      if (e.name !== 'AbortError') state.replaceChildren(errorBox(e));
    }
  }
  follow.addEventListener('change', load);
  tail.addEventListener('change', load);
  content.replaceChildren(h('div.panel', h('div.panel-body',
    h('div.toolbar', tail, h('label', follow, ' Follow live'), h('button.small', { type: 'button', onclick: load }, 'Reload'), h('span.right', state)),
    h('div.spacer'), out)));
  load();
  return () => controller?.abort();
}
