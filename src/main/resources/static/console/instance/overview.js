// The overview tab: what the instance runs, how to reach it, what it mounts.
import { api } from '../api.js';
import { h, badge, when, accessLinks, copyable, errorBox } from '../dom.js';
import { gpuModels, gpuText, computeText } from './describe.js';

/** The SSH gateway's command and each port through the proxy (signed in with a cookie for this instance only): docs/access.md. */
function gatewayAccess(d, me) {
  if (d.state !== 'running') return null;
  const ssh = me?.ssh ? h('div', { 'data-test': 'ssh-gateway' }, copyable(`ssh -p ${me.ssh.port} ${d.name}@${location.hostname}`, 'the SSH command'),
    h('span.muted', ' with a key of yours (SSH keys)')) : null;
  const status = h('div');
  const proxied = Object.keys(d.ports || {}).map((c) => c.split('/')[0]).filter((p) => p !== '22').sort().map((port) => {
    const path = `/proxy/${encodeURIComponent(d.name)}/${port}/`;
    const open = async (e) => {
      e.preventDefault();
      try {
        await api.post(`/proxy/${encodeURIComponent(d.name)}/session`, {});
        window.open(path, '_blank', 'noopener');
      } catch (err) {
        status.replaceChildren(errorBox(err));
      }
    };
    return h('div', { 'data-test': 'proxy-link' }, h('a', { href: path, onclick: open }, path), h('span.muted', ` → ${port}, through the service`));
  });
  return [ssh, ...proxied, status];
}

export async function renderOverview(content, d, me) {
  const models = await gpuModels();
  const compute = computeText(d);
  content.replaceChildren(h('div.grid2',
    h('div.panel', h('div.panel-body', h('h2', 'Instance'), h('dl.facts',
      h('dt', 'State'), h('dd', badge(d.state), h('span.muted', ` container ${d.containerName}: ${d.containerStatus}`)),
      h('dt', 'Image'), h('dd', h('code', d.image)),
      d.node ? [h('dt', 'Node'), h('dd', { 'data-test': 'node' }, h('code', d.node))] : null,
      h('dt', 'GPUs'), h('dd', { 'data-test': 'gpus' }, gpuText(d.gpus, models)),
      compute ? [h('dt', 'CPU / memory'), h('dd', compute)] : null,
      h('dt', 'Command'), h('dd', d.cmd?.length ? h('code', d.cmd.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ')) : h('span.muted', 'the image\'s own')),
      h('dt', 'Created'), h('dd', when(d.createTime)),
      h('dt', 'This version'), h('dd', when(d.versionCreateTime))))),
    h('div.panel', h('div.panel-body', h('h2', 'Access'),
      h('div.access', { 'data-test': 'access' }, Object.keys(d.ports || {}).length ? accessLinks(d.ports) : h('span.muted', d.state === 'stopped' ? 'Stopped: it holds no ports. Restart it to get them back.' : 'No ports exposed.')),
      gatewayAccess(d, me),
      h('div.spacer'), h('h2', 'Volumes and mounts'),
      d.binds?.length ? h('dl.facts', d.binds.map((bd) => [h('dt', h('code', bd.dest)), h('dd', bd.src.startsWith('/') ? `host path ${bd.src}` : h('a', { href: '#/volumes' }, bd.src))])) : h('span.muted', 'None'),
      h('div.spacer'), h('h2', 'Environment'),
      d.env?.length ? h('div', d.env.map((e) => h('div', h('code', e)))) : h('span.muted', 'None')))));
}
