// Data disks: list, create with a size, resize with progress, history, delete.
import { api } from './api.js';
import { h, mount, when, errorBox, dialog, field, toast, poll, bytes, showFieldError, clearFieldErrors } from './dom.js';

/** "resize to 50GB: copying the data into data-2 (40%)": the step the API reports, with the bytes across where measured. */
function progressText(p) {
  if (!p) return null;
  const share = p.bytesTotal ? ` (${Math.floor((100 * (p.bytesDone || 0)) / p.bytesTotal)}%, ${bytes(p.bytesDone || 0)} of ${bytes(p.bytesTotal)})` : '';
  return `${p.operation}: ${p.step}${share}`;
}

export function volumesScreen(main) {
  const body = h('tbody');
  const status = h('div');
  const name = h('input', { name: 'name', required: true, placeholder: 'e.g. data', autocomplete: 'off', 'data-test': 'volume-name' });
  const size = h('input', { name: 'size', placeholder: 'e.g. 20GB', 'data-test': 'volume-size' });
  const createErrors = h('div');
  const create = h('form.row', { onsubmit: onCreate, 'data-test': 'volume-create' },
    field('Name', name, null, 'name'), field('Size', size, 'KB, MB, GB or TB, 1024-based; empty for no limit.', 'size'),
    h('div.field.button-cell', h('button.primary', { type: 'submit', 'data-test': 'volume-create-submit' }, 'Create volume')));
  const pending = new Map(); // volume name -> what is running on it
  let lastShown = null;

  mount(main,
    h('div.page-head', h('div', h('h1', 'Volumes'), h('div.sub', 'Data disks: mounted into instances, kept across every update, resized by copying into a new version.'))),
    h('div.panel', h('div.panel-body', h('h2', 'New volume'), create, createErrors)),
    status,
    h('div.panel', h('table', { 'data-test': 'volumes' },
      h('thead', h('tr', h('th', 'Name'), h('th.num', 'Version'), h('th', 'Size'), h('th', 'Docker volume'), h('th', ''))), body)));

  async function onCreate(e) {
    e.preventDefault();
    createErrors.replaceChildren();
    try {
      const body = { name: name.value.trim() };
      if (size.value.trim()) body.size = size.value.trim();
      await api.post('/volumes', body);
      toast(`Volume ${body.name} created`);
      name.value = '';
      size.value = '';
      clearFieldErrors(create);
      await refresh();
    } catch (err) {
      if (!showFieldError(create, err)) createErrors.replaceChildren(errorBox(err));
    }
  }

  function resize(v) {
    const input = h('input', { name: 'size', value: v.size || '', 'data-test': 'resize-size' });
    dialog({
      title: `Resize ${v.name}`, confirm: 'Resize', test: 'resize-dialog',
      body: h('div', h('p.muted', `Makes version ${v.version + 1} with the new size and copies the data in; instances that mount it are paused for the copy. Shrinking below the bytes in use is refused.`),
        field('New size', input, 'e.g. 50GB')),
      submit: async () => input.value.trim(),
    }).then(async (newSize) => {
      if (!newSize) return;
      pending.set(v.name, `resizing to ${newSize}`);
      await refresh().catch(() => {});
      try {
        const r = await api.patch(`/volumes/${encodeURIComponent(v.name)}/size`, { size: newSize });
        toast(`${v.name} is now ${r.size} (${r.name}, ${bytes(r.bytesInUse)} copied in ${r.copyMillis} ms)`);
      } catch (err) {
        status.replaceChildren(errorBox(err), h('div.spacer'));
      } finally {
        pending.delete(v.name);
        await refresh().catch(() => {});
      }
    });
  }

  async function history(v, row) {
    const next = row.nextElementSibling;
    if (next?.dataset.history) { next.remove(); return; }
    const { history: items } = await api.get(`/volumes/${encodeURIComponent(v.name)}/history`);
    row.after(h('tr', { 'data-history': v.name }, h('td', { colspan: 5 }, h('ol.timeline', items.map((i) => h('li' + (i.version === v.version ? '.current' : ''),
      h('span.dot'), h('div', h('div.title', `Version ${i.version} · ${i.size || 'no size'}`), h('div.meta', `${i.cause} · ${i.dockerName} · `, when(i.createTime), i.present ? '' : ' · removed')), h('div')))))));
  }

  function remove(v) {
    dialog({
      title: `Delete ${v.name}?`, confirm: 'Delete volume', danger: true, test: 'delete-dialog',
      body: h('div', h('p', `Every version of ${v.name} (${v.dockerName} and older) is removed with all the data on it. This cannot be undone.`),
        h('p.muted', 'Refused while an instance mounts it: rebind or delete that instance first.')),
      submit: () => api.del(`/volumes/${encodeURIComponent(v.name)}`).then(() => true),
    }).then(async (ok) => {
      if (ok) { toast(`${v.name} deleted`); await refresh(); }
    });
  }

  async function refresh() {
    let list;
    try {
      list = await api.get('/volumes');
      status.replaceChildren();
    } catch (e) {
      status.replaceChildren(errorBox(e), h('div.spacer'));
      throw e;
    }
    if (body.querySelector('[data-history]')) return; // an open history stays put until closed
    const shown = JSON.stringify([list, [...pending]]);
    if (shown === lastShown) return; // unchanged: not re-rendered, so a focused button keeps its focus
    lastShown = shown;
    if (list.length === 0) {
      body.replaceChildren(h('tr', h('td', { colspan: 5 }, h('div.empty', h('strong', 'No volumes yet'), 'Create one above, then mount it when you create an instance.'))));
      return;
    }
    list.sort((a, b) => a.name.localeCompare(b.name));
    body.replaceChildren(...list.map((v) => {
      const busy = progressText(v.progress) || pending.get(v.name);
      const row = h('tr', { 'data-test': 'volume-row', 'data-name': v.name },
        h('td', h('strong', v.name)),
        h('td.num', { 'data-test': 'volume-version' }, v.version),
        h('td', { 'data-test': 'volume-size' }, v.size || h('span.muted', 'no limit'), v.size && !v.sizeEnforced ? h('span.muted', { title: 'This host cannot enforce volume sizes (no XFS project quota): recorded, not enforced' }, ' (not enforced)') : null),
        h('td', h('code', v.dockerName)),
        h('td', h('div.toolbar',
          busy ? h('span.badge.busy', { 'data-test': 'volume-progress' }, busy) : null,
          h('button.small', { type: 'button', 'data-test': 'resize', onclick: () => resize(v), disabled: !!busy }, 'Resize'),
          h('button.small', { type: 'button', 'data-test': 'history', onclick: (e) => history(v, e.target.closest('tr')) }, 'History'),
          h('button.small.danger', { type: 'button', 'data-test': 'delete', onclick: () => remove(v), disabled: !!busy }, 'Delete'))));
      return row;
    }));
  }
  return poll(refresh, 4000);
}
