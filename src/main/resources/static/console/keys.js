// The caller's SSH keys for the SSH gateway (docs/access.md): register, list, remove; and how to log in.
import { api } from './api.js';
import { h, mount, errorBox, dialog, field, toast, when, copyable, showFieldError } from './dom.js';

export function keysScreen(main, params, ctx) {
  const body = h('tbody');
  const name = h('input', { name: 'name', required: true, autocomplete: 'off', placeholder: 'e.g. laptop', 'data-test': 'key-name' });
  const publicKey = h('textarea', { name: 'publicKey', required: true, rows: 3, placeholder: 'ssh-ed25519 AAAA… you@laptop (the content of ~/.ssh/id_ed25519.pub)', 'data-test': 'key-text' });
  const form = h('form', { onsubmit: onAdd },
    h('div.row', field('Name', name, 'Letters, digits, ".", "_" and "-".', 'name')),
    field('Public key', publicKey, 'One OpenSSH public key line: ed25519, ECDSA or RSA. Never the private key.', 'publicKey'),
    h('div.field.button-cell', h('button.primary', { type: 'submit', 'data-test': 'key-add' }, 'Add key')));
  const added = h('div');
  const status = h('div');
  const ssh = ctx.me.ssh;
  const host = location.hostname;
  const howTo = ssh
    ? h('div', h('p', 'Log in to an instance with its name as the user name:'), copyable(`ssh -p ${ssh.port} <instance>@${host}`, 'the command'),
      h('p', { 'data-test': 'host-key' }, 'The gateway\'s host key: ', h('code', ssh.hostKeyFingerprint), ' — compare it with what ssh shows at the first login.'))
    : h('p', 'The SSH gateway is off on this host.');
  mount(main,
    h('div.page-head', h('div', h('h1', 'SSH keys'), h('div.sub', 'Keys that log in to your instances through the SSH gateway: ssh, scp, sftp, ssh -L, VS Code Remote-SSH.'))),
    h('div.panel', h('div.panel-body', h('h2', 'Logging in'), howTo)),
    h('div.panel', h('div.panel-body', h('h2', 'New key'), form, added)),
    status,
    h('div.panel', h('table', { 'data-test': 'keys' }, h('thead', h('tr', h('th', 'Name'), h('th', 'Fingerprint'), h('th', 'Type'), h('th', 'Added'), h('th', ''))), body)));

  async function onAdd(e) {
    e.preventDefault();
    added.replaceChildren();
    try {
      const k = await api.post('/keys', { name: name.value.trim(), publicKey: publicKey.value.trim() });
      toast(`key ${k.name} added`);
      name.value = '';
      publicKey.value = '';
      await refresh();
    } catch (err) {
      if (!showFieldError(form, err)) added.replaceChildren(errorBox(err));
    }
  }

  function remove(k) {
    dialog({
      title: `Remove key ${k.name}?`, confirm: 'Remove', danger: true,
      body: h('p', 'Logins with this key are refused from now on. Sessions open now keep running until they end.'),
      submit: () => api.del(`/keys/${encodeURIComponent(k.name)}`).then(() => true),
    }).then(async (ok) => { if (ok) { toast(`key ${k.name} removed`); await refresh(); } });
  }

  async function refresh() {
    try {
      const list = await api.get('/keys');
      status.replaceChildren();
      body.replaceChildren(...list.map((k) => h('tr', { 'data-test': 'key-row' }, h('td', h('strong', k.name)), h('td', h('code', k.fingerprint)), h('td', k.type),
        h('td', when(k.createTime)), h('td', h('button.small.danger', { type: 'button', 'data-test': 'key-remove', onclick: () => remove(k) }, 'Remove')))));
    } catch (e) {
      status.replaceChildren(errorBox(e));
    }
  }
  refresh();
}
