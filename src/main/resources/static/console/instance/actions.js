// The instance's actions: power, the changes that make a new version, a move to another node, commit and delete.
import { api } from '../api.js';
import { h, dialog, field, toast } from '../dom.js';
import { gpuModels } from './describe.js';

/** The toolbar's buttons for page (see instance.js): disabled while an action is in flight. */
export function actionButtons(page) {
  const { path } = page;
  const detail = page.detail;
  const running = detail.state === 'running';
  const paused = detail.state === 'paused';
  const b = (label, test, onclick, enabled, cls = '') => h('button' + cls, { type: 'button', 'data-test': test, onclick, disabled: !enabled || !!page.pending }, label);
  return [
    b('Stop', 'stop', () => page.run('Stop', () => api.patch(`${path}/stop`)), running || paused),
    b('Restart', 'restart', () => page.run('Restart', () => api.patch(`${path}/restart`), (r) => `Restarted as ${r.containerName}`), true),
    b('Pause', 'pause', () => page.run('Pause', () => api.patch(`${path}/pause`)), running),
    b('Continue', 'continue', () => page.run('Continue', () => api.patch(`${path}/continue`)), paused),
    h('span.sep'),
    b('Change GPUs', 'change-gpus', () => changeGpus(page), true),
    b('Rebind volume', 'rebind', () => rebind(page), detail.binds?.length > 0),
    b('Move', 'move', () => move(page), running || paused),
    b('Commit image', 'commit', () => commit(page), true),
    h('span.sep'),
    b('Delete', 'delete', () => remove(page), true, '.danger'),
  ];
}

/** A dialog that starts a long action: it closes at once, and the page shows progress until the action ends. */
function openDialog(page, title, body, confirm, action, label, done) {
  dialog({ title, body, confirm, submit: async () => true }).then((ok) => { if (ok) page.run(label, action, done); });
}

async function changeGpus(page) {
  const detail = page.detail;
  const [models, count] = [await gpuModels(), h('input', { type: 'number', min: 0, value: detail.gpuCount, name: 'gpuCount', 'data-test': 'gpu-count' })];
  const body = h('div', h('p.muted', `Makes version ${detail.version + 1} with the same system disk, ports and volumes. ${models.free} GPUs are free now; this instance keeps the ${detail.gpuCount} it has.`),
    field('GPU count', count, '0 starts it without a card.', 'gpuCount'));
  openDialog(page, 'Change GPU count', body, 'Apply', () => api.patch(page.path, { gpuPatch: { gpuCount: Number(count.value) } }), 'Changing GPUs', (r) => `Now running ${r.containerName}`);
}

async function rebind(page) {
  const detail = page.detail;
  const vols = await api.get('/volumes');
  const old = h('select', { 'data-test': 'rebind-old' }, detail.binds.map((bd, i) => h('option', { value: i }, `${bd.src} → ${bd.dest}`)));
  const src = h('select', { 'data-test': 'rebind-new' }, vols.map((v) => h('option', { value: v.dockerName }, `${v.name} (${v.size || 'no size'}, current version ${v.dockerName})`)));
  const body = h('div.stack', field('Mount to replace', old), field('New volume', src, 'Mounted at the same path in a new version.'));
  openDialog(page, 'Rebind a volume', body, 'Rebind', () => {
    const oldBind = detail.binds[Number(old.value)];
    return api.patch(page.path, { volumePatch: { oldBind, newBind: { src: src.value, dest: oldBind.dest } } });
  }, 'Rebinding', (r) => `Now running ${r.containerName}`);
}

/** The target: picked among the other nodes GET /nodes lists (up and open first), or typed; the page shows the move's progress. */
async function move(page) {
  const { name, detail } = page;
  const nodes = await api.get('/nodes').catch(() => []);
  const others = nodes.filter((n) => n.name !== detail.node);
  const open = others.filter((n) => n.state === 'up' && !n.cordoned);
  const target = h('input', { name: 'node', list: 'move-targets', autocomplete: 'off', required: true, spellcheck: 'false', 'data-test': 'move-node',
    value: open.length ? open[0].name : '' });
  const targets = h('datalist', { id: 'move-targets' }, others.map((n) => h('option', { value: n.name },
    `${n.state}${n.cordoned ? ', cordoned' : ''}${n.gpuFree == null ? '' : `, ${n.gpuFree} of ${n.gpuTotal} GPUs free`}`)));
  const hint = others.length ? `Other nodes: ${others.map((n) => `${n.name} (${n.state}${n.cordoned ? ', cordoned' : ''})`).join(', ')}.` : 'This is the only node the cluster lists.';
  const body = h('div', h('p.muted', `Makes version ${detail.version + 1} on the target with this system disk and the volumes' data copied over, and the same GPU count. `
    + `Version ${detail.version} stops here while the files copy, and runs again here if the move fails.`), field('Target node', target, hint, 'node'), targets);
  openDialog(page, `Move ${name} to another node`, body, 'Move', () => api.post(`${page.path}/move`, { node: target.value.trim() }), 'Moving',
    (r) => `Moved to node ${r.to}, now running ${r.containerName}${r.portsChanged ? ' (its host ports changed)' : ''}`);
}

function commit(page) {
  const { name, detail } = page;
  // a tenant commits under its own namespace (the service refuses other names); the admin names freely
  const namespace = page.me && !page.me.admin ? `${page.me.name.toLowerCase()}/` : '';
  const suggested = `${namespace}${name.toLowerCase()}-snapshot:v${detail.version}`;
  const image = h('input', { name: 'newImageName', placeholder: suggested, value: suggested, 'data-test': 'commit-name' });
  openDialog(page, 'Commit as image', h('div', h('p.muted', 'Saves the system disk (not volumes) as an image you can create instances from.'), field('Image name', image)),
    'Commit', () => api.post(`${page.path}/commit`, { newImageName: image.value.trim() }), 'Committing', (r) => `Saved as ${r.imageName}`);
}

function remove(page) {
  const { name, detail } = page;
  const confirmName = h('input', { autocomplete: 'off', 'data-test': 'delete-confirm-name', 'aria-label': 'Type the instance name to confirm' });
  const ports = Object.entries(detail.ports || {}).map(([c, p]) => `${p} (${c})`).join(', ');
  const body = h('div',
    h('p', 'This cannot be undone. What will be lost:'),
    h('ul', { 'data-test': 'delete-losses' },
      h('li', `every version's container (1 to ${detail.version}) and with them the system disk: everything installed outside volumes`),
      h('li', `the version history and rollback`),
      ports ? h('li', `the host ports ${ports}`) : null,
      detail.gpuCount ? h('li', `its ${detail.gpuCount} GPU(s), given back to the pool`) : null),
    detail.binds?.length ? h('p.muted', `Kept: the volumes ${detail.binds.map((bd) => bd.src).join(', ')} and their data.`) : null,
    field(`Type ${name} to confirm`, confirmName));
  dialog({
    title: `Delete ${name}?`, body, confirm: 'Delete instance', danger: true, test: 'delete-dialog',
    submit: async () => {
      if (confirmName.value !== name) throw new Error(`Type ${name} exactly to confirm.`);
      await api.del(page.path);
      return true;
    },
  }).then((ok) => {
    if (ok) {
      toast(`${name} deleted`);
      location.hash = '#/instances';
    }
  });
}
