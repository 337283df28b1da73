// The host's GPUs (which are free, which are yours) and the host-port range.
import { api } from './api.js';
import { h, mount, errorBox, poll, bytes } from './dom.js';

export function resourcesScreen(main, params, ctx) {
  const gpus = h('div.gpus', { 'data-test': 'gpu-map' });
  const ports = h('div');
  const status = h('div');
  mount(main,
    h('div.page-head', h('div', h('h1', 'GPUs and ports'), h('div.sub', 'What this host has, and who holds it.'))),
    status,
    h('div.panel', h('div.panel-body', h('div.section-head', h('h2', 'GPUs'), h('div.legend', h('span.l-free', 'free'), h('span.l-mine', ctx.me.admin ? 'held' : 'yours'), ctx.me.admin ? null : h('span.l-taken', 'another tenant\'s'))), gpus)),
    h('div.panel', h('div.panel-body', h('h2', 'Host ports'), ports)));

  async function refresh() {
    let g;
    let p;
    try {
      [g, p] = await Promise.all([api.get('/resources/gpus'), api.get('/resources/ports')]);
      status.replaceChildren();
    } catch (e) {
      status.replaceChildren(errorBox(e));
      throw e;
    }
    gpus.replaceChildren(...(g.inventory.length ? g.inventory.map((gpu) => {
      const kind = !gpu.present ? 'missing' : !gpu.held ? 'free' : gpu.holder ? 'mine' : 'taken';
      // coloured by utilization: the latest reading of its node's sampler (none: not sampled, or the driver gave none)
      const util = gpu.telemetry?.utilizationPercent;
      const heat = util == null ? null : `background: linear-gradient(0deg, rgba(47,111,222,${(0.06 + 0.5 * util / 100).toFixed(2)}) ${util}%, #fff ${util}%)`;
      return h(`div.gpu.${kind}`, { 'data-test': 'gpu', 'data-state': kind, 'data-util': util ?? '', style: heat },
        h('div.idx', gpu.nodeName ? `${gpu.nodeName} · GPU ${gpu.index ?? '?'}` : `GPU ${gpu.index ?? '?'}`, h('span.muted', ` · ${gpu.memoryMiB ? bytes(gpu.memoryMiB * 1024 * 1024) : ''}`)),
        h('div', gpu.model || 'unknown model'),
        h('div.muted.mono', { title: gpu.uuid }, gpu.uuid.slice(0, 18) + '…'),
        util == null ? null : h('div', { 'data-test': 'gpu-util' }, `${util} % busy`, gpu.telemetry.memoryUsedMiB != null ? h('span.muted', ` · ${bytes(gpu.telemetry.memoryUsedMiB * 1024 * 1024)} used`) : null),
        h('div', kind === 'free' ? 'free' : kind === 'missing' ? 'missing from nvidia-smi' : gpu.holder ? h('a', { href: `#/instances/${encodeURIComponent(gpu.holder)}` }, gpu.holder) : 'another tenant\'s'));
    }) : [h('div.muted', 'This host reports no GPUs (no nvidia-smi): instances run without cards.')]));
    ports.replaceChildren(h('dl.facts', h('dt', 'Range'), h('dd', p.range), h('dt', 'Free'), h('dd', `${p.free} of ${p.total}`),
      h('dt', ctx.me.admin ? 'In use' : 'Yours'), h('dd', p.used.length ? p.used.map((u) => h('div', h('code', u.port), ' ', h('a', { href: `#/instances/${encodeURIComponent(u.holder)}` }, u.holder))) : h('span.muted', 'none'))));
  }
  return poll(refresh, 5000);
}
