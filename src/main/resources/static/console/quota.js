// Quotas: a tenant sees its own (a bar per resource, use against limit); the admin sees every tenant's and sets them.
import { api } from './api.js';
import { h, mount, errorBox, dialog, field, toast, poll } from './dom.js';

const LABELS = {
  gpus: 'GPUs', instances: 'Instances', volumes: 'Volumes', volumeSize: 'Volume size', cores: 'CPU cores', memory: 'Memory',
  executes: 'Running commands', terminals: 'Terminals', images: 'Committed images',
};

/** One resource: a bar filled to its use against the limit, full and red at or over it; none drawn without a limit. */
function bar(line) {
  const limited = line.limit !== null && line.limit !== undefined;
  const used = line.used ?? 0;
  const share = !limited ? 0 : line.limit === 0 ? (used > 0 ? 1 : 0) : Math.min(1, used / line.limit);
  const over = limited && used >= line.limit;
  const text = limited ? `${line.usedText} of ${line.limitText}` : `${line.usedText} · no limit`;
  return h('div.quota-line', { 'data-test': 'quota-line', 'data-resource': line.resource, 'data-over': over ? 'true' : null },
    h('div.quota-head', h('span', LABELS[line.resource] || line.resource), h('span.muted', { 'data-test': 'quota-text' }, text,
      line.scope === 'node' ? h('span.faint', ' (this node)') : null)),
    h('div.bar' + (over ? '.full' : ''), { role: 'meter', 'aria-label': LABELS[line.resource] || line.resource, 'aria-valuemin': 0,
      'aria-valuemax': limited ? line.limit : null, 'aria-valuenow': used },
    h('span', { style: `width:${Math.round(share * 100)}%` })));
}

export function quotaBars(view) {
  return h('div.quota', { 'data-test': 'quota' }, view.resources.map(bar));
}

export function quotaScreen(main, params, ctx) {
  return ctx.me.admin ? tenantsScreen(main) : ownScreen(main);
}

function ownScreen(main) {
  const bars = h('div');
  const status = h('div');
  mount(main,
    h('div.page-head', h('div', h('h1', 'Quota'), h('div.sub', 'The most you may hold at once, and what you hold now. A stopped instance counts nothing.'))),
    status,
    h('div.panel', h('div.panel-body', bars)));
  return poll(async () => {
    try {
      const me = await api.get('/whoami');
      status.replaceChildren(me.quota.defaults ? h('div.alert.info', 'Your quota is the host\'s default.') : '');
      bars.replaceChildren(quotaBars(me.quota));
    } catch (e) {
      status.replaceChildren(errorBox(e));
      throw e;
    }
  }, 5000);
}

function tenantsScreen(main) {
  const body = h('tbody');
  const status = h('div');
  const shown = ['gpus', 'instances', 'cores', 'memory', 'volumes', 'volumeSize', 'images'];
  mount(main,
    h('div.page-head', h('div', h('h1', 'Tenants'), h('div.sub', 'Every tenant\'s use against its quota. Lowering a quota refuses new takes; what runs keeps running.'))),
    status,
    h('div.panel', h('table', { 'data-test': 'tenants' },
      h('thead', h('tr', h('th', 'Tenant'), shown.map((r) => h('th', LABELS[r])), h('th', ''))), body)));

  function cell(line) {
    const limited = line.limit !== null && line.limit !== undefined;
    const used = line.used ?? 0;
    const over = limited && used >= line.limit;
    return h('td', { 'data-resource': line.resource, 'data-over': over ? 'true' : null },
      h('div', limited ? `${line.usedText} / ${line.limitText}` : `${line.usedText} / –`),
      limited ? h('div.bar.small' + (over ? '.full' : ''), h('span', { style: `width:${line.limit === 0 ? 100 : Math.min(100, Math.round((used / line.limit) * 100))}%` })) : null);
  }

  function edit(t) {
    const inputs = {};
    const fields = Object.keys(LABELS).map((r) => {
      const line = t.quota.resources.find((l) => l.resource === r);
      inputs[r] = h('input', { name: r, value: line.limitText ?? '', placeholder: 'no limit', autocomplete: 'off', 'data-test': `quota-${r}` });
      return field(LABELS[r], inputs[r], r === 'memory' || r === 'volumeSize' ? 'a size, e.g. 500GB' : null, r);
    });
    dialog({
      title: `Quota of ${t.name}`, confirm: 'Save', test: 'quota-dialog',
      body: h('div.quota-form', h('p.muted', 'Empty: no limit. Every limit counts the tenant on all nodes together.'), fields),
      submit: () => {
        const body = {};
        for (const [r, input] of Object.entries(inputs)) {
          const v = input.value.trim();
          if (v === '') continue;
          body[r] = r === 'memory' || r === 'volumeSize' ? v : Number(v);
        }
        return api.put(`/tenants/${encodeURIComponent(t.name)}/quota`, body).then(() => true);
      },
    }).then(async (ok) => { if (ok) { toast(`${t.name}'s quota saved`); await refresh(); } });
  }

  async function refresh() {
    try {
      const list = await api.get('/tenants');
      status.replaceChildren(list.length ? '' : h('div.empty', h('strong', 'No tenants yet'), h('a', { href: '#/tokens' }, 'Issue a token')));
      body.replaceChildren(...list.map((t) => h('tr', { 'data-test': 'tenant-row', 'data-tenant': t.name },
        h('td', h('strong', t.name), t.quota.defaults ? h('div.muted', 'default quota') : null),
        shown.map((r) => cell(t.quota.resources.find((l) => l.resource === r))),
        h('td', h('button.small', { type: 'button', 'data-test': 'quota-edit', onclick: () => edit(t) }, 'Edit')))));
    } catch (e) {
      status.replaceChildren(errorBox(e));
      throw e;
    }
  }
  return poll(refresh, 10000);
}
