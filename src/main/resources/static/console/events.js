// The service's event stream (GET /api/v1/events, Server-Sent Events) read with fetch, as EventSource cannot send the
// bearer token: one connection per page, shared by every screen that listens; it resumes after the last id it saw.
import { session } from './api.js';

const listeners = new Set();
let controller = null;
let lastId = null;
let connected = false;

/** Calls fn with each event (parsed JSON) from now on; returns a function that stops listening. */
export function onEvent(fn) {
  listeners.add(fn);
  if (!controller) connect();
  return () => {
    listeners.delete(fn);
    if (listeners.size === 0 && controller) {
      controller.abort();
      controller = null;
      connected = false;
    }
  };
}

/** Whether the stream is open now (screens poll less while it is). */
export function streaming() { return connected; }

async function connect() {
  const mine = new AbortController();
  controller = mine;
  const headers = { Authorization: `Bearer ${session.token}`, Accept: 'text/event-stream' };
  if (lastId !== null) headers['Last-Event-ID'] = lastId;
  try {
    const response = await fetch('api/v1/events', { headers, signal: mine.signal, cache: 'no-store' });
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
    connected = true;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  } catch (e) {
    // aborted, or the service went away: tried again below while anyone listens
  }
  connected = false;
  if (controller === mine && listeners.size > 0) setTimeout(() => { if (controller === mine) connect(); }, 2000);
}

function dispatch(block) {
  let id = null;
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('id:')) id = line.slice(3).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).trim());
  }
  if (!data.length) return;
  if (id !== null) lastId = id;
  let event;
  try { event = JSON.parse(data.join('\n')); } catch (e) { return; }
  for (const fn of [...listeners]) {
    try { fn(event); } catch (e) { console.error(e); }
  }
}
