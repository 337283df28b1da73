// One instance: overview with its actions, the versions timeline, logs and the terminal.
import { api } from './api.js';
import { h, mount, badge, when, accessLinks, errorBox, dialog, field, toast, poll, copyable } from './dom.js';
import { gpuModels, gpuText, computeText, progressLabel } from './instances.js';
import { openTerminal } from './terminal.js';

const TABS = [['overview', 'Overview'], ['versions', 'Versions'], ['logs', 'Logs'], ['terminal', 'Terminal']];

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
    const running = detail.state === 'running';
    const paused = detail.state === 'paused';
    const b = (label, test, onclick, enabled, cls = '') => h('button' + cls, { type: 'button', 'data-test': test, onclick, disabled: !enabled || !!pending }, label);
    toolbar.replaceChildren(
      b('Stop', 'stop', () => run('Stop', () => api.patch(`${path}/stop`)), running || paused),
      b('Restart', 'restart', () => run('Restart', () => api.patch(`${path}/restart`), (r) => `Restarted as ${r.containerName}`), true),
      b('Pause', 'pause', () => run('Pause', () => api.patch(`${path}/pause`)), running),
      b('Continue', 'continue', () => run('Continue', () => api.patch(`${path}/continue`)), paused),
      h('span.sep'),
      b('Change GPUs', 'change-gpus', changeGpus, true),
      b('Rebind volume', 'rebind', rebind, detail.binds?.length > 0),
      b('Commit image', 'commit', commit, true),
      h('span.sep'),
      b('Delete', 'delete', remove, true, '.danger'));
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

  async function changeGpus() {
    const [models, count] = [await gpuModels(), h('input', { type: 'number', min: 0, value: detail.gpuCount, name: 'gpuCount', 'data-test': 'gpu-count' })];
    const body = h('div', h('p.muted', `Makes version ${detail.version + 1} with the same system disk, ports and volumes. ${models.free} GPUs are free now; this instance keeps the ${detail.gpuCount} it has.`),
      field('GPU count', count, '0 starts it without a card.', 'gpuCount'));
    openDialog('Change GPU count', body, 'Apply', () => api.patch(path, { gpuPatch: { gpuCount: Number(count.value) } }), 'Changing GPUs', (r) => `Now running ${r.containerName}`);
  }

  async function rebind() {
    const vols = await api.get('/volumes');
    const old = h('select', { 'data-test': 'rebind-old' }, detail.binds.map((bd, i) => h('option', { value: i }, `${bd.src} → ${bd.dest}`)));
    const src = h('select', { 'data-test': 'rebind-new' }, vols.map((v) => h('option', { value: v.dockerName }, `${v.name} (${v.size || 'no size'}, current version ${v.dockerName})`)));
    const body = h('div.stack', field('Mount to replace', old), field('New volume', src, 'Mounted at the same path in a new version.'));
    openDialog('Rebind a volume', body, 'Rebind', () => {
      const oldBind = detail.binds[Number(old.value)];
      return api.patch(path, { volumePatch: { oldBind, newBind: { src: src.value, dest: oldBind.dest } } });
    }, 'Rebinding', (r) => `Now running ${r.containerName}`);
  }

  function commit() {
    const image = h('input', { name: 'newImageName', placeholder: `${name}-snapshot:v${detail.version}`, value: `${name.toLowerCase()}-snapshot:v${detail.version}`, 'data-test': 'commit-name' });
    openDialog('Commit as image', h('div', h('p.muted', 'Saves the system disk (not volumes) as an image you can create instances from.'), field('Image name', image)),
      'Commit', () => api.post(`${path}/commit`, { newImageName: image.value.trim() }), 'Committing', (r) => `Saved as ${r.imageName}`);
  }

  function remove() {
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
        await api.del(path);
        return true;
      },
    }).then((ok) => {
      if (ok) {
        toast(`${name} deleted`);
        location.hash = '#/instances';
      }
    });
  }

  /** A dialog that starts a long action: it closes at once, and the page shows progress until the action ends. */
  function openDialog(title, body, confirm, action, label, done) {
    dialog({ title, body, confirm, submit: async () => true }).then((ok) => { if (ok) run(label, action, done); });
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
      await overview();
    }
  }

  async function overview() {
    const models = await gpuModels();
    const d = detail;
    const compute = computeText(d);
    content.replaceChildren(h('div.grid2',
      h('div.panel', h('div.panel-body', h('h2', 'Instance'), h('dl.facts',
        h('dt', 'State'), h('dd', badge(d.state), h('span.muted', ` container ${d.containerName}: ${d.containerStatus}`)),
        h('dt', 'Image'), h('dd', h('code', d.image)),
        h('dt', 'GPUs'), h('dd', { 'data-test': 'gpus' }, gpuText(d.gpus, models)),
        compute ? [h('dt', 'CPU / memory'), h('dd', compute)] : null,
        h('dt', 'Command'), h('dd', d.cmd?.length ? h('code', d.cmd.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ')) : h('span.muted', 'the image\'s own')),
        h('dt', 'Created'), h('dd', when(d.createTime)),
        h('dt', 'This version'), h('dd', when(d.versionCreateTime))))),
      h('div.panel', h('div.panel-body', h('h2', 'Access'),
        h('div.access', { 'data-test': 'access' }, Object.keys(d.ports || {}).length ? accessLinks(d.ports) : h('span.muted', d.state === 'stopped' ? 'Stopped: it holds no ports. Restart it to get them back.' : 'No ports exposed.')),
        h('div.spacer'), h('h2', 'Volumes and mounts'),
        d.binds?.length ? h('dl.facts', d.binds.map((bd) => [h('dt', h('code', bd.dest)), h('dd', bd.src.startsWith('/') ? `host path ${bd.src}` : h('a', { href: '#/volumes' }, bd.src))])) : h('span.muted', 'None'),
        h('div.spacer'), h('h2', 'Environment'),
        d.env?.length ? h('div', d.env.map((e) => h('div', h('code', e)))) : h('span.muted', 'None')))));
  }

  async function versions() {
    const list = h('ol.timeline', { 'data-test': 'timeline' });
    const models = await gpuModels();
    content.replaceChildren(h('div.panel', h('div.panel-body', h('h2', 'Versions'), h('p.muted', 'Every change made a new version. Rolling back makes a newer one with that version\'s spec and files.'), list)));
    const { history } = await api.get(`${path}/history`);
    list.replaceChildren(...history.map((item) => {
      const s = item.status;
      const current = item.version === detail.version;
      return h('li' + (current ? '.current' : ''), { 'data-test': 'version-item', 'data-version': item.version },
        h('span.dot', { 'aria-hidden': 'true' }),
        h('div', h('div.title', `Version ${item.version}`, current ? h('span.tag', 'current') : null),
          h('div.meta', `${s.cause || 'update'} · ${s.gpus?.length ? gpuText(s.gpus, models) : 'no GPUs'} · `, when(item.createTime),
            ' · ', item.snapshotAvailable ? 'snapshot kept' : 'snapshot pruned (spec only)')),
        h('div', current ? null : h('button.small', {
          type: 'button', 'data-test': 'rollback', disabled: !item.snapshotAvailable || !!pending,
          title: item.snapshotAvailable ? null : 'Its files were pruned by the history limit',
          onclick: () => dialog({ title: `Roll back to version ${item.version}?`, confirm: 'Roll back',
            body: h('p', `Makes version ${detail.version + 1} with version ${item.version}'s spec and system disk. The current version stays in the history.`),
            submit: async () => true }).then((ok) => ok && run('Rolling back', () => api.patch(`${path}/rollback`, { version: item.version }),
            (r) => `Rolled back: now running ${r.containerName}`).then(versions)),
        }, 'Roll back to this')));
    }));
  }

  function logs() {
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

  let tabCleanup = () => {};
  const stop = poll(refresh, 3000);
  if (tab === 'versions') refresh().then(versions).catch((e) => content.replaceChildren(errorBox(e)));
  if (tab === 'logs') tabCleanup = logs();
  if (tab === 'terminal') tabCleanup = openTerminal(content, name);
  return () => { stop(); tabCleanup(); };
}
