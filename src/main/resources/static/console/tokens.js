// Tenant tokens (the admin's screen): issue, list, revoke.
import { api } from './api.js';
import { h, mount, errorBox, dialog, field, toast, when, copyable, showFieldError } from './dom.js';

export function tokensScreen(main, params, ctx) {
  if (!ctx.me.admin) {
    mount(main, h('div.empty', h('strong', 'Only the admin manages tokens')));
    return;
  }
  const body = h('tbody');
  const issued = h('div');
  const name = h('input', { name: 'name', required: true, autocomplete: 'off', placeholder: 'e.g. alice', 'data-test': 'token-name' });
  const form = h('form.row', { onsubmit: onIssue }, field('Tenant name', name, 'One token per tenant; it sees only its own instances and volumes.', 'name'),
    h('div.field.button-cell', h('button.primary', { type: 'submit', 'data-test': 'token-issue' }, 'Issue token')));
  const status = h('div');
  mount(main,
    h('div.page-head', h('div', h('h1', 'Tokens'), h('div.sub', 'Who may use this host.'))),
    h('div.panel', h('div.panel-body', h('h2', 'New tenant'), form, issued)),
    status,
    h('div.panel', h('table', { 'data-test': 'tokens' }, h('thead', h('tr', h('th', 'Name'), h('th', 'Role'), h('th', 'Created'), h('th', ''))), body)));

  async function onIssue(e) {
    e.preventDefault();
    issued.replaceChildren();
    try {
      const t = await api.post('/tokens', { name: name.value.trim() });
      issued.replaceChildren(h('div.alert.info', { 'data-test': 'issued-token' }, h('div', h('div', `Token for ${t.name} — shown this once; hand it over now:`), copyable(t.token, 'the token'))));
      name.value = '';
      await refresh();
    } catch (err) {
      if (!showFieldError(form, err)) issued.replaceChildren(errorBox(err));
    }
  }

  function revoke(t) {
    dialog({
      title: `Revoke ${t.name}'s token?`, confirm: 'Revoke', danger: true,
      body: h('p', `${t.name} can no longer sign in or call the API. Their instances and volumes keep running; the admin still sees them.`),
      submit: () => api.del(`/tokens/${encodeURIComponent(t.name)}`).then(() => true),
    }).then(async (ok) => { if (ok) { toast(`${t.name}'s token revoked`); await refresh(); } });
  }

  async function refresh() {
    try {
      const list = await api.get('/tokens');
      status.replaceChildren();
      body.replaceChildren(...list.map((t) => h('tr', { 'data-test': 'token-row' }, h('td', h('strong', t.name)), h('td', h('span.tag' + (t.role === 'admin' ? '.admin' : ''), t.role)),
        h('td', when(t.createTime)), h('td', t.role === 'admin' ? null : h('button.small.danger', { type: 'button', onclick: () => revoke(t) }, 'Revoke')))));
    } catch (e) {
      status.replaceChildren(errorBox(e));
    }
  }
  refresh();
}
