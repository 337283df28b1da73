// One instance: its head (state, version, actions, progress) polled, and its tabs, each a module of its own.
import { api } from './api.js';
import { h, mount, badge, errorBox, toast, poll } from './dom.js';
import { progressLabel } from './instance/describe.js';
import { actionButtons } from './instance/actions.js';
import { renderOverview } from './instance/overview.js';
import { renderVersions } from './instance/versions.js';
import { openLogs } from './instance/logs.js';
import { openTerminal } from './instance/terminal.js';
import { openMetrics } from './instance/metrics.js';
import { onEvent, streaming } from './events.js';

const TABS = [['overview', 'Overview'], ['metrics', 'Metrics'], ['versions', 'Versions'], ['logs', 'Logs'], ['terminal', 'Terminal']];

export function instanceScreen(main, [name, tab = 'overview'], ctx) {
  const base = `#/instances/${encodeURIComponent(name)}`;
  const path = `/replicaSet/${encodeURIComponent(name)}`;
  const title = h('h1', name);
  const toolbar = h('div.toolbar');
  const banner = h('div', { 'data-test': 'banner' });
  const content = h('div');
  let detail = null;
  let lastShown = null;
  let pending = null; // the action in flight: its label; the page keeps polling and stays usable meanwhile

  /** What the tabs and actions see of this page: always the latest detail and the action in flight. */
  const page = {
    name,
    path,
    me: ctx.me,
    get detail() { return detail; },
    get pending() { return pending; },
    run,
  };

  mount(main,
    h('div.crumbs', h('a', { href: '#/instances' }, 'Instances'), ` / ${name}`),
    h('div.page-head', title, toolbar),
    banner,
    h('nav.tabs', { 'aria-label': 'Instance' }, TABS.map(([id, label]) => h('a', { href: `${base}/${id}`, 'aria-current': id === tab ? 'page' : null, 'data-test': `tab-${id}` }, label))),
    content);

  async function run(label, action, done) {
    pending = label;
    renderHead();
    try {
      const result = await action();
      toast(done ? done(result) : `${label}: done`);
    } catch (e) {
      banner.replaceChildren(errorBox(e), h('div.spacer'));
      toast(`${label} failed`, 'error');
    } finally {
      pending = null;
      await refresh().catch(() => {});
    }
  }

  function renderHead() {
    if (!detail) return;
    const busy = pending || progressLabel(detail.progress);
    title.replaceChildren(name, badge(detail.state, busy ? 'working' : null), h('span.tag', { 'data-test': 'current-version' }, `version ${detail.version}`));
    toolbar.replaceChildren(...actionButtons(page));
    if (busy) {
      const p = detail.progress;
      const measured = p && p.bytesTotal ? Math.min(100, Math.round((100 * (p.bytesDone || 0)) / p.bytesTotal)) : null;
      banner.replaceChildren(h('div.alert.info.progress', { 'data-test': 'progress' },
        h('div', h('strong', pending || p.operation), p?.step ? ` — ${p.step}` : ' — working…', p?.startedAt ? h('span.muted', ` (since ${new Date(p.startedAt).toLocaleTimeString()})`) : null),
        h('div.bar' + (measured === null ? '.indeterminate' : ''), h('span', measured === null ? null : { style: `width:${measured}%` }))), h('div.spacer'));
    } else if (banner.querySelector('[data-test="progress"]')) {
      banner.replaceChildren();
    }
  }

  async function refresh() {
    try {
      detail = await api.get(path);
    } catch (e) {
      if (e.status === 404) {
        mount(main, h('div.empty', h('strong', `No instance named ${name}`), h('a', { href: '#/instances' }, 'Back to the instances')));
        stop();
        return;
      }
      throw e;
    }
    renderHead();
    // re-rendered only when something changed, so a selection or a focused link survives the polling
    const shown = JSON.stringify(detail);
    if (tab === 'overview' && shown !== lastShown) {
      lastShown = shown;
      await renderOverview(content, detail, ctx.me);
    }
  }

  let tabCleanup = () => {};
  // an event about this instance refreshes at once; the polling only catches what no event tells (Docker's own status,
  // an update's progress), and slowly while the stream is open
  let lastPoll = 0;
  const stopPoll = poll(() => {
    if (streaming() && !pending && !progressLabel(detail?.progress) && Date.now() - lastPoll < 15000) return Promise.resolve();
    lastPoll = Date.now();
    return refresh();
  }, 3000);
  const stopEvents = onEvent((e) => { if (e.instance === name) refresh().catch(() => {}); });
  const stop = () => { stopPoll(); stopEvents(); };
  if (tab === 'versions') refresh().then(() => renderVersions(content, page)).catch((e) => content.replaceChildren(errorBox(e)));
  if (tab === 'logs') tabCleanup = openLogs(content, path);
  if (tab === 'terminal') tabCleanup = openTerminal(content, name);
  if (tab === 'metrics') tabCleanup = openMetrics(content, page);
  return () => { stop(); tabCleanup(); };
}
