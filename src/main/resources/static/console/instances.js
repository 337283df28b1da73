// The instances table: read again at once when an event tells of a change, and polled slowly besides.
import { api } from './api.js';
import { h, mount, badge, when, accessLinks, errorBox, poll } from './dom.js';
import { onEvent, streaming } from './events.js';
import { gpuModels, gpuText, computeText, progressLabel } from './instance/describe.js';

export function instancesScreen(main, params, ctx) {
  const body = h('tbody');
  const head = h('thead');
  const table = h('table', { 'data-test': 'instances' }, head, body);
  const status = h('div');
  mount(main,
    h('div.page-head',
      h('div', h('h1', 'Instances'), h('div.sub', ctx.me.admin ? 'Every tenant\'s GPU instances' : 'Your GPU instances')),
      h('a.button.primary', { href: '#/instances/new', 'data-test': 'new-instance', role: 'button' }, '+ New instance')),
    status,
    h('div.panel', table));

  let lastShown = null;
  let lastRender = 0;
  async function refresh() {
    let list;
    let models;
    try {
      [list, models] = await Promise.all([api.get('/replicaSet'), gpuModels()]);
      status.replaceChildren();
    } catch (e) {
      status.replaceChildren(errorBox(e), h('div.spacer'));
      throw e;
    }
    // unchanged lists are not re-rendered (a focused link keeps its focus), except to age the times now and then
    const shown = JSON.stringify(list);
    if (shown === lastShown && Date.now() - lastRender < 30000) return;
    lastShown = shown;
    lastRender = Date.now();
    const showCompute = list.some((i) => computeText(i));
    // a node column only where instances run on more than one host
    const showNode = new Set(list.map((i) => i.node)).size > 1;
    head.replaceChildren(h('tr', h('th', 'Name'), ctx.me.admin ? h('th', 'Tenant') : null, showNode ? h('th', 'Node') : null, h('th', 'State'), h('th.num', 'Version'),
      h('th', 'Image'), h('th', 'GPUs'), showCompute ? h('th', 'CPU / memory') : null, h('th', 'Access'), h('th', 'Created')));
    if (list.length === 0) {
      body.replaceChildren(h('tr', h('td', { colspan: 9 }, h('div.empty', h('strong', 'No instances yet'),
        'Create one to get a container with GPUs, an SSH port and a system disk that survives every change.'))));
      return;
    }
    list.sort((a, b) => a.name.localeCompare(b.name));
    body.replaceChildren(...list.map((i) => h('tr', { 'data-test': 'instance-row', 'data-name': i.name },
      h('td', h('a', { href: `#/instances/${encodeURIComponent(i.name)}`, 'data-test': 'instance-link' }, h('strong', i.name))),
      ctx.me.admin ? h('td', h('span.tag', i.tenant || 'admin')) : null,
      showNode ? h('td', { 'data-test': 'node' }, h('code', i.node || '')) : null,
      h('td', badge(i.state, progressLabel(i.progress))),
      h('td.num', { 'data-test': 'version' }, i.version),
      h('td', h('code', i.image || '')),
      h('td.nowrap', gpuText(i.gpus, models)),
      showCompute ? h('td', computeText(i)) : null,
      h('td', h('div.access', i.state === 'stopped' ? h('span.muted', 'stopped: no ports held') : accessLinks(i.ports))),
      h('td.nowrap', when(i.createTime)))));
  }
  let lastPoll = 0;
  const stopPoll = poll(() => {
    if (streaming() && Date.now() - lastPoll < 15000) return Promise.resolve();
    lastPoll = Date.now();
    return refresh();
  }, 3000);
  const stopEvents = onEvent((e) => { if (e.instance) refresh().catch(() => {}); });
  return () => { stopPoll(); stopEvents(); };
}
