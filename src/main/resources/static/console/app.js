// Routing and the signed-in frame. Each screen is render(main, params, ctx) and returns a cleanup function
// (stops its polling, closes its streams) that runs when the user leaves it.
import { api, session } from './api.js';
import { h, mount, errorBox } from './dom.js';
import { instancesScreen } from './instances.js';
import { createScreen } from './create.js';
import { instanceScreen } from './instance.js';
import { volumesScreen } from './volumes.js';
import { resourcesScreen } from './resources.js';
import { tokensScreen } from './tokens.js';
import { keysScreen } from './keys.js';
import { quotaScreen } from './quota.js';
import { usageScreen } from './usage.js';
import { nodesScreen } from './nodes.js';

const main = document.getElementById('main');
const topbar = document.querySelector('.topbar');
const ctx = { me: null };
let cleanup = () => {};

const routes = [
  [/^#\/instances\/new$/, () => createScreen],
  [/^#\/instances\/([^/]+)(?:\/(overview|metrics|versions|logs|terminal))?$/, () => instanceScreen],
  [/^#\/instances$/, () => instancesScreen],
  [/^#\/volumes$/, () => volumesScreen],
  [/^#\/resources$/, () => resourcesScreen],
  [/^#\/nodes$/, () => nodesScreen],
  [/^#\/tokens$/, () => tokensScreen],
  [/^#\/keys$/, () => keysScreen],
  [/^#\/(quota|tenants)$/, () => quotaScreen],
  [/^#\/usage$/, () => usageScreen],
];

function signOut(reason) {
  session.token = null;
  ctx.me = null;
  cleanup();
  cleanup = () => {};
  topbar.hidden = true;
  loginScreen(reason);
}

// a 401 while signed in means the token was revoked; while signing in, the login form says why itself
session.onUnauthorized = () => { if (ctx.me) signOut('Your token is unknown or was revoked. Sign in again.'); };
document.querySelector('[data-test="sign-out"]').addEventListener('click', () => signOut());

function loginScreen(reason) {
  const token = h('input', { type: 'password', id: 'token', autocomplete: 'off', spellcheck: 'false', required: true, 'data-test': 'token', placeholder: 'gda_…' });
  const errors = h('div', reason ? h('div.alert.info', { role: 'status' }, reason) : null);
  const submit = h('button.primary', { type: 'submit', 'data-test': 'sign-in' }, 'Sign in');
  const form = h('form.stack', {
    onsubmit: async (e) => {
      e.preventDefault();
      submit.disabled = true;
      errors.replaceChildren();
      session.token = token.value.trim();
      try {
        await start();
      } catch (err) {
        session.token = null;
        errors.replaceChildren(errorBox(err));
        submit.disabled = false;
        token.focus();
      }
    },
  },
  h('div', h('h1', 'Sign in to the GPU console'), h('div.muted', 'Paste the token your operator gave you. It stays in this browser tab only.')),
  h('div.field', h('label', { for: 'token' }, 'Access token'), token),
  errors, submit);
  mount(main, h('div.login', h('div.panel', h('div.panel-body', form))));
  token.focus();
}

async function start() {
  const me = await api.get('/whoami');
  ctx.me = me;
  topbar.hidden = false;
  document.querySelector('[data-test="who"]').replaceChildren(me.name, ' ', me.admin ? h('span.tag.admin', 'admin') : h('span.tag', 'tenant'));
  document.querySelector('[data-nav="tokens"]').hidden = !me.admin;
  document.querySelector('[data-nav="nodes"]').hidden = !me.admin;
  document.querySelector('[data-nav="tenants"]').hidden = !me.admin;
  document.querySelector('[data-nav="quota"]').hidden = me.admin;
  if (!location.hash || location.hash === '#' || location.hash === '#/') location.hash = '#/instances';
  else route();
}

function route() {
  if (!ctx.me) return;
  cleanup();
  cleanup = () => {};
  const hash = location.hash || '#/instances';
  const section = hash.split('/')[1];
  document.querySelectorAll('[data-nav]').forEach((a) => {
    if (a.dataset.nav === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  for (const [pattern, screen] of routes) {
    const m = hash.match(pattern);
    if (m) {
      const result = screen()(main, m.slice(1).map((p) => (p === undefined ? undefined : decodeURIComponent(p))), ctx);
      cleanup = typeof result === 'function' ? result : () => {};
      main.focus({ preventScroll: true });
      return;
    }
  }
  mount(main, h('div.empty', h('strong', 'No such page'), h('a', { href: '#/instances' }, 'Back to the instances')));
}

window.addEventListener('hashchange', route);

if (session.token) {
  start().catch((e) => signOut(e.status === 401 ? 'Your token is unknown or was revoked. Sign in again.' : e.message));
} else {
  loginScreen();
}
