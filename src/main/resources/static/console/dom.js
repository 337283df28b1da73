// Small helpers: an element builder, dialogs, toasts, polling and formatting. No framework: the screens are few.
import { ApiError } from './api.js';

/** h('button.primary', {onclick}, 'Save') builds an element; children may be strings, nodes, arrays or null. */
export function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name || 'div');
  if (classes.length) el.className = classes.join(' ');
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

export function mount(root, ...children) {
  root.replaceChildren();
  append(root, children);
}

export function toast(message, kind) {
  const box = document.querySelector('.toasts');
  const t = h('div.toast' + (kind === 'error' ? '.error' : ''), message);
  box.append(t);
  setTimeout(() => t.remove(), kind === 'error' ? 8000 : 4000);
}

export function errorBox(error) {
  return h('div.alert', { role: 'alert', 'data-test': 'error' },
    h('div', h('div', error.message), error.code ? h('div.code', `code ${error.code}`) : null));
}

/**
 * A modal form. build(form) adds the fields; submit(form) runs on confirm and may throw an ApiError, shown in
 * the dialog, which then stays open. Resolves with submit's result, or null when cancelled.
 */
export function dialog({ title, body, confirm = 'Confirm', danger = false, submit, test }) {
  return new Promise((resolve) => {
    const errors = h('div');
    const ok = h('button' + (danger ? '.danger.solid' : '.primary'), { type: 'submit', 'data-test': 'dialog-confirm' }, confirm);
    const form = h('form', { method: 'dialog' }, h('h2', title), body, errors,
      h('div.actions', h('button', { type: 'button', 'data-test': 'dialog-cancel', onclick: () => close(null) }, 'Cancel'), ok));
    const d = h('dialog', { 'data-test': test || 'dialog', 'aria-label': title }, form);
    function close(result) { d.close(); d.remove(); resolve(result); }
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      ok.disabled = true;
      errors.replaceChildren();
      try {
        close(await submit(form));
      } catch (err) {
        errors.append(errorBox(err));
        ok.disabled = false;
      }
    });
    d.addEventListener('cancel', (e) => { e.preventDefault(); close(null); });
    document.body.append(d);
    d.showModal();
    const first = form.querySelector('input, select, textarea');
    (first || ok).focus();
  });
}

export function copyable(text, label) {
  const b = h('button.small', { type: 'button', 'aria-label': `Copy ${label || text}` }, 'Copy');
  b.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      toast('Copied to the clipboard');
    } catch (e) {
      toast('The browser refused the clipboard; select the text instead', 'error');
    }
  });
  return h('span.copy', h('code', text), b);
}

export function badge(state, busy) {
  if (busy) return h('span.badge.busy', { 'data-test': 'state' }, busy);
  return h('span.badge.' + state, { 'data-test': 'state' }, state);
}

export function ago(iso) {
  if (!iso) return '';
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function when(iso) {
  return iso ? h('time', { datetime: iso, title: new Date(iso).toLocaleString() }, ago(iso)) : '';
}

const SIZE_UNITS = [['TB', 1024 ** 4], ['GB', 1024 ** 3], ['MB', 1024 ** 2], ['KB', 1024]];

/**
 * Bytes written as the service writes and reads sizes (units 1024-based, as in "size": "20GB"), so a size
 * shown here means the same when typed back: the largest unit that names them exactly ("32GB"), else two
 * decimals rounded down ("7.61GB"); plain bytes below 1KB.
 */
export function bytes(n) {
  if (n === null || n === undefined) return '';
  for (const [unit, size] of SIZE_UNITS) if (n >= size && n % size === 0) return `${n / size}${unit}`;
  for (const [unit, size] of SIZE_UNITS) if (n >= size) return `${Math.floor((n * 100) / size) / 100}${unit}`;
  return `${n}B`;
}

/** Host-port links: SSH for 22, the browser for anything else. */
export function accessLinks(ports) {
  const host = location.hostname;
  return Object.entries(ports || {}).sort().map(([containerPort, hostPort]) => {
    const port = containerPort.split('/')[0];
    if (port === '22') return h('div', { 'data-test': 'port-link' }, copyable(`ssh -p ${hostPort} root@${host}`, 'the SSH command'));
    const url = `http://${host}:${hostPort}`;
    return h('div', { 'data-test': 'port-link' }, h('a', { href: url, target: '_blank', rel: 'noopener' }, url), h('span.muted', ` → ${port}`));
  });
}

export function field(label, input, hint, name) {
  const id = input.id || `f-${name || label.replace(/\W+/g, '-').toLowerCase()}`;
  input.id = id;
  return h('div.field', { 'data-field': name || null }, h('label', { for: id }, label), input, hint ? h('div.hint', hint) : null, h('div.field-error', { role: 'alert' }));
}

export function clearFieldErrors(form) {
  form.querySelectorAll('.field.invalid').forEach((f) => f.classList.remove('invalid'));
  form.querySelectorAll('.field-error').forEach((f) => { f.textContent = ''; });
}

/** The form's field for the request field an answer names: "binds[1]" and "binds[0].dest" are the binds field's. */
function fieldFor(form, name) {
  if (!name) return null;
  for (const candidate of new Set([name, name.split(/[.[]/)[0]])) {
    const f = form.querySelector(`.field[data-field="${CSS.escape(candidate)}"]`);
    if (f) return f;
  }
  return null;
}

/**
 * Shows the API's message, as the API wrote it, at the field the answer names in its `field`; false when it
 * names none this form has, for the caller to show the message elsewhere.
 */
export function showFieldError(form, error) {
  clearFieldErrors(form);
  const f = fieldFor(form, error.field);
  if (!f) return false;
  f.classList.add('invalid');
  f.querySelector('.field-error').textContent = error.message;
  f.querySelector('input, select, textarea')?.focus();
  return true;
}

/** Runs fn now and every `ms` while the page is visible; returns the stop function. */
export function poll(fn, ms) {
  let timer = null;
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    if (!document.hidden) {
      try { await fn(); } catch (e) { if (!(e instanceof ApiError)) console.error(e); }
    }
    if (!stopped) timer = setTimeout(tick, ms);
  };
  tick();
  return () => { stopped = true; clearTimeout(timer); };
}

