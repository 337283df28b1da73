// The versions tab: the history, newest first, each version with what made it and a rollback to it.
import { api } from '../api.js';
import { h, when, dialog } from '../dom.js';
import { gpuModels, gpuText } from './describe.js';

/** page: the instance page's path, current detail, action in flight and run (see instance.js). */
export async function renderVersions(content, page) {
  const list = h('ol.timeline', { 'data-test': 'timeline' });
  const models = await gpuModels();
  content.replaceChildren(h('div.panel', h('div.panel-body', h('h2', 'Versions'), h('p.muted', 'Every change made a new version. Rolling back makes a newer one with that version\'s spec and files.'), list)));
  const { history } = await api.get(`${page.path}/history`);
  const detail = page.detail;
  list.replaceChildren(...history.map((item) => {
    const s = item.status;
    const current = item.version === detail.version;
    return h('li' + (current ? '.current' : ''), { 'data-test': 'version-item', 'data-version': item.version },
      h('span.dot', { 'aria-hidden': 'true' }),
      h('div', h('div.title', `Version ${item.version}`, current ? h('span.tag', 'current') : null),
        h('div.meta', `${s.cause || 'update'} · ${s.gpus?.length ? gpuText(s.gpus, models) : 'no GPUs'} · `, when(item.createTime),
          ' · ', item.snapshotAvailable ? 'snapshot kept' : 'snapshot pruned (spec only)')),
      h('div', current ? null : h('button.small', {
        type: 'button', 'data-test': 'rollback', disabled: !item.snapshotAvailable || !!page.pending,
        title: item.snapshotAvailable ? null : 'Its files were pruned by the history limit',
        onclick: () => dialog({ title: `Roll back to version ${item.version}?`, confirm: 'Roll back',
          body: h('p', `Makes version ${page.detail.version + 1} with version ${item.version}'s spec and system disk. The current version stays in the history.`),
          submit: async () => true }).then((ok) => ok && page.run('Rolling back', () => api.patch(`${page.path}/rollback`, { version: item.version }),
          (r) => `Rolled back: now running ${r.containerName}`).then(() => renderVersions(content, page))),
      }, 'Roll back to this')));
  }));
}
