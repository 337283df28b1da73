// The instances table (polled) and the create form.
import { api } from './api.js';
import { h, mount, badge, when, accessLinks, errorBox, field, showFieldError, poll, toast } from './dom.js';

/** GPU models by UUID, from the GPU map: "2 × NVIDIA A100" reads better than two UUIDs. */
export async function gpuModels() {
  const gpus = await api.get('/resources/gpus');
  return { byUuid: Object.fromEntries(gpus.inventory.map((g) => [g.uuid, g])), free: gpus.free, total: gpus.total };
}

export function gpuText(uuids, models) {
  if (!uuids || uuids.length === 0) return h('span.muted', 'none');
  const names = [...new Set(uuids.map((u) => models.byUuid[u]?.model || 'GPU'))];
  return `${uuids.length} × ${names.join(', ')}`;
}

/** CPU cores and memory, where the service reports them. */
export function computeText(item) {
  const parts = [];
  if (item.cpuCount !== undefined && item.cpuCount !== null) parts.push(`${item.cpuCount} CPU`);
  const mem = item.memory ?? item.memoryLimit;
  if (mem !== undefined && mem !== null) parts.push(typeof mem === 'number' ? `${Math.round(mem / 1e9)} GB` : mem);
  return parts.join(' · ');
}

export function progressLabel(progress) {
  if (!progress) return null;
  return progress.step ? `${progress.operation}: ${progress.step}` : progress.operation;
}

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
  return poll(refresh, 3000);
}

/** Which form field an API error is about: by the field it names, else by its code. */
export function createFieldOf(error) {
  const named = ['replicaSetName', 'imageName', 'gpuCount', 'containerPorts', 'env', 'cmd', 'binds', 'cpuCount', 'memory']
    .find((f) => error.message.includes(f));
  if (named) return named;
  return { 1001: 'imageName', 1036: 'imageName', 1002: 'replicaSetName', 1003: 'replicaSetName', 1008: 'replicaSetName',
    1012: 'gpuCount', 1013: 'gpuCount', 1014: 'containerPorts', 1040: 'binds', 1041: 'binds' }[error.code];
}

/** "python -c 'print(1)'" → ["python", "-c", "print(1)"]: quotes group, as a shell would. */
export function splitCommand(text) {
  const out = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m;
  while ((m = re.exec(text)) !== null) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2] !== undefined ? m[2] : m[3]);
  return out;
}

export function createScreen(main, params, ctx) {
  const name = h('input', { name: 'replicaSetName', required: true, autocomplete: 'off', placeholder: 'e.g. foo', pattern: '[A-Za-z0-9_.]+', 'data-test': 'create-name' });
  const image = h('input', { name: 'imageName', required: true, list: 'images', autocomplete: 'off', placeholder: 'choose or type an image', 'data-test': 'create-image' });
  const images = h('datalist', { id: 'images' });
  const gpus = h('input', { name: 'gpuCount', type: 'number', min: 0, value: 0, required: true, 'data-test': 'create-gpus' });
  const gpuHint = h('span', 'loading the GPU map…');
  const ports = h('input', { name: 'containerPorts', value: '22', placeholder: '22, 8888', 'data-test': 'create-ports' });
  const env = h('textarea', { name: 'env', placeholder: 'TZ=UTC\nJUPYTER_TOKEN=…', 'data-test': 'create-env' });
  const cmd = h('input', { name: 'cmd', placeholder: 'sleep infinity', 'data-test': 'create-cmd' });
  const cpu = h('input', { name: 'cpuCount', type: 'number', min: 0, placeholder: 'service default' });
  const memory = h('input', { name: 'memory', placeholder: 'e.g. 32GB (service default)' });
  const bindRows = h('div');
  let volumes = [];
  const errors = h('div');
  const submit = h('button.primary', { type: 'submit', 'data-test': 'create-submit' }, 'Create instance');

  function bindRow() {
    const src = h('select', { 'aria-label': 'Volume', 'data-test': 'bind-src' }, h('option', { value: '' }, 'choose a volume'),
      volumes.map((v) => h('option', { value: v.dockerName }, `${v.name} (${v.size || 'no size'}, current version ${v.dockerName})`)));
    const dest = h('input', { placeholder: '/root/data', 'aria-label': 'Mount path in the container', 'data-test': 'bind-dest' });
    const row = h('div.binds-row', src, dest, h('button.small', { type: 'button', 'aria-label': 'Remove this mount', onclick: () => row.remove() }, 'Remove'));
    bindRows.append(row);
  }

  const form = h('form.stack', { novalidate: true, onsubmit: onSubmit },
    h('div.row', field('Name', name, 'Letters, digits, _ and . — no dashes. Containers are named name-1, name-2, …', 'replicaSetName'),
      field('Image', image, 'An image on this host, or one you type.', 'imageName')),
    images,
    h('div.row', field('GPUs', gpus, gpuHint, 'gpuCount'), field('Container ports', ports, 'Comma-separated; each gets a host port that stays the same across versions.', 'containerPorts')),
    field('Command', cmd, 'Optional; the image\'s own command when empty. Quotes group words.', 'cmd'),
    field('Environment', env, 'One KEY=value per line.', 'env'),
    h('div.field', { 'data-field': 'binds' }, h('span.label', 'Volumes'), bindRows,
      h('div', h('button.small', { type: 'button', 'data-test': 'add-bind', onclick: bindRow }, '+ Mount a volume')),
      h('div.hint', 'Data disks survive every update and are not part of committed images.'), h('div.field-error', { role: 'alert' })),
    h('details.more', h('summary', 'CPU and memory'), h('div.row', field('CPU cores', cpu, 'Only where the service supports it.', 'cpuCount'), field('Memory', memory, null, 'memory'))),
    errors,
    h('div.toolbar', submit, h('a.button', { href: '#/instances' }, 'Cancel')));

  mount(main, h('div.crumbs', h('a', { href: '#/instances' }, 'Instances'), ' / New'),
    h('div.page-head', h('h1', 'New instance')), h('div.panel', h('div.panel-body', form)));
  name.focus();

  Promise.all([api.get('/images'), api.get('/resources/gpus'), api.get('/volumes')]).then(([imgs, g, vols]) => {
    images.replaceChildren(...imgs.map((i) => h('option', { value: i.name })));
    if (!image.value && imgs.length) image.value = imgs.find((i) => !i.committedFrom)?.name || imgs[0].name;
    gpuHint.textContent = `${g.free} of ${g.total} free now`;
    gpus.max = g.total;
    volumes = vols;
  }).catch((e) => errors.replaceChildren(errorBox(e)));

  async function onSubmit(e) {
    e.preventDefault();
    errors.replaceChildren();
    const body = {
      replicaSetName: name.value.trim(),
      imageName: image.value.trim(),
      gpuCount: gpus.value === '' ? 0 : Number(gpus.value),
      containerPorts: ports.value.split(/[\s,]+/).filter(Boolean),
      env: env.value.split('\n').map((l) => l.trim()).filter(Boolean),
      cmd: splitCommand(cmd.value),
      binds: [...bindRows.children].map((r) => ({ src: r.querySelector('select').value, dest: r.querySelector('input').value.trim() }))
        .filter((b) => b.src || b.dest),
    };
    if (cpu.value !== '') body.cpuCount = Number(cpu.value);
    if (memory.value.trim() !== '') body.memory = memory.value.trim();
    submit.disabled = true;
    submit.textContent = 'Creating…';
    try {
      await api.post('/replicaSet', body);
      toast(`Instance ${body.replicaSetName} created`);
      location.hash = `#/instances/${encodeURIComponent(body.replicaSetName)}`;
    } catch (err) {
      if (!showFieldError(form, err, createFieldOf)) errors.replaceChildren(errorBox(err));
      submit.disabled = false;
      submit.textContent = 'Create instance';
    }
  }
}
