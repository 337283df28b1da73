// The create form: every field is the request's own, and what the service refuses is shown at the field it names.
import { api } from './api.js';
import { h, mount, errorBox, field, showFieldError, toast } from './dom.js';

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
    h('details.more', h('summary', 'CPU and memory'), h('div.row', field('CPU cores', cpu, 'Only where the service supports it.', 'cpuCount'), field('Memory', memory, 'KB, MB, GB or TB, 1024-based; 0 for no limit.', 'memory'))),
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
      if (!showFieldError(form, err)) errors.replaceChildren(errorBox(err));
      submit.disabled = false;
      submit.textContent = 'Create instance';
    }
  }
}
