// The nodes sharing this etcd (the admin's screen): up or down, what each has free, cordon, and drain with its progress.
import { api } from './api.js';
import { h, mount, errorBox, dialog, toast, when, poll } from './dom.js';

export function nodesScreen(main, params, ctx) {
  if (!ctx.me.admin) {
    mount(main, h('div.empty', h('strong', 'Only the admin manages nodes')));
    return undefined;
  }
  const body = h('tbody');
  const drains = h('div');
  const status = h('div', { 'data-test': 'nodes-status' });
  mount(main,
    h('div.page-head', h('div', h('h1', 'Nodes'), h('div.sub', 'The hosts sharing this cluster: cordon one to send it no new instances, drain it to move its instances off.'))),
    status,
    h('div.panel', h('table', { 'data-test': 'nodes' }, h('thead', h('tr', h('th', 'Node'), h('th', 'State'), h('th.num', 'GPUs free'), h('th.num', 'Instances'),
      h('th.num', 'Volumes'), h('th', ''))), body)),
    drains);

  const fail = (err) => status.replaceChildren(errorBox(err));

  function drain(n) {
    dialog({
      title: `Drain ${n.name}?`, confirm: 'Drain', danger: true, test: 'drain-dialog',
      body: h('div', h('p', `${n.name} is cordoned (no new instances), then its ${n.replicaSets} instance(s) are moved to other nodes one at a time, oldest first.`),
        h('p.muted', 'Each is down while its files copy. One that fits on no other node keeps running here; the drain says why.')),
      submit: () => api.post(`/nodes/${encodeURIComponent(n.name)}/drain`).then(() => true),
    }).then(async (ok) => { if (ok) { toast(`Draining ${n.name}`); await refresh().catch(fail); } });
  }

  async function cordon(n, cordoned) {
    try {
      await api.patch(`/nodes/${encodeURIComponent(n.name)}`, { cordoned });
      toast(cordoned ? `${n.name} cordoned` : `${n.name} open again`);
      status.replaceChildren();
      await refresh();
    } catch (err) {
      fail(err);
    }
  }

  function drainPanel(n) {
    const d = n.drain;
    const moved = d.instances.filter((i) => i.outcome === 'moved').length;
    return h('div.panel', { 'data-test': 'drain', 'data-node': n.name }, h('div.panel-body',
      h('h2', `Drain of ${n.name}: `, h('span', { 'data-test': 'drain-state' }, d.state)),
      h('div.muted', `Started ${new Date(d.startedAt).toLocaleString()}`, d.finishedAt ? `, done ${new Date(d.finishedAt).toLocaleString()}` : '',
        ` — ${moved} of ${d.instances.length} moved`, d.moving ? `, moving ${d.moving} now` : ''),
      d.instances.length ? h('table', h('tbody', d.instances.map((i) => h('tr', { 'data-test': 'drain-item', 'data-name': i.name, 'data-outcome': i.outcome },
        h('td', h('a', { href: `#/instances/${encodeURIComponent(i.name)}` }, i.name)),
        h('td', i.name === d.moving ? 'moving' : i.outcome),
        h('td', i.node ? `to ${i.node}` : (i.reason ? h('span.muted', i.reason) : '')))))) : h('div.muted', 'No instance was on it.')));
  }

  async function refresh() {
    const list = await api.get('/nodes');
    body.replaceChildren(...list.map((n) => {
      const running = n.drain?.state === 'running';
      return h('tr', { 'data-test': 'node-row', 'data-name': n.name },
        h('td', h('strong', n.name), n.name === ctx.me.node ? h('span.muted', ' (this one)') : null, h('div.muted.mono', n.advertise || '')),
        h('td', h('span.badge.' + (n.state === 'up' ? 'running' : 'stopped'), n.state), n.cordoned ? h('span.tag', { 'data-test': 'cordoned' }, 'cordoned') : null,
          n.startedAt ? h('div.muted', 'up since ', when(n.startedAt)) : null),
        h('td.num', n.gpuFree == null ? '—' : `${n.gpuFree} of ${n.gpuTotal}`),
        h('td.num', String(n.replicaSets)), h('td.num', String(n.volumes)),
        h('td',
          n.cordoned ? h('button.small', { type: 'button', 'data-test': 'uncordon', onclick: () => cordon(n, false) }, 'Uncordon')
            : h('button.small', { type: 'button', 'data-test': 'cordon', onclick: () => cordon(n, true) }, 'Cordon'), ' ',
          h('button.small.danger', { type: 'button', 'data-test': 'drain-node', disabled: running || n.state !== 'up', onclick: () => drain(n) },
            running ? 'Draining…' : 'Drain')));
    }));
    drains.replaceChildren(...list.filter((n) => n.drain).map(drainPanel));
  }
  return poll(() => refresh().catch((e) => { fail(e); throw e; }), 3000);
}
