// The console speaks to the public API only, with the pasted token as the bearer header.
const TOKEN_KEY = 'gda.token';
const BASE = 'api/v1';

export class ApiError extends Error {
  /** field: the request field the service names as at fault ("gpuCount", "binds[1]"), or undefined. */
  constructor(status, code, msg, field) {
    super(msg);
    this.status = status;
    this.code = code;
    this.field = field ?? undefined;
  }
}

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  set token(value) { value ? sessionStorage.setItem(TOKEN_KEY, value) : sessionStorage.removeItem(TOKEN_KEY); },
  onUnauthorized: () => {},
};

function headers(json) {
  const h = { Authorization: `Bearer ${session.token}` };
  if (json) h['Content-Type'] = 'application/json';
  return h;
}

// The last answer to each GET that carried an ETag: polling asks "changed since?" and an unchanged view costs a 304.
const lastSeen = new Map();

async function call(method, path, body) {
  let response;
  const h = headers(body !== undefined);
  const seen = method === 'GET' ? lastSeen.get(path) : undefined;
  if (seen && seen.token === session.token) h['If-None-Match'] = seen.etag;
  try {
    response = await fetch(`${BASE}${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 0, 'The service cannot be reached. Check that it runs and that this network can reach it.');
  }
  if (response.status === 304 && seen) return seen.data;
  let envelope = null;
  try { envelope = await response.json(); } catch (e) { /* an empty or non-JSON answer: judged by its status below */ }
  if (response.status === 401) {
    session.onUnauthorized();
    throw new ApiError(401, envelope?.code ?? 1060, envelope?.msg ?? 'Your token is unknown or revoked.');
  }
  if (!response.ok || (envelope && envelope.code !== 200)) {
    throw new ApiError(response.status, envelope?.code ?? response.status, envelope?.msg ?? `${method} ${path} failed with HTTP ${response.status}`, envelope?.field);
  }
  const etag = response.headers.get('ETag');
  if (method === 'GET' && etag) lastSeen.set(path, { etag, token: session.token, data: envelope?.data });
  else if (method === 'GET') lastSeen.delete(path);
  return envelope?.data;
}

export const api = {
  get: (path) => call('GET', path),
  post: (path, body) => call('POST', path, body ?? {}),
  patch: (path, body) => call('PATCH', path, body ?? {}),
  del: (path) => call('DELETE', path),
  put: (path, body) => call('PUT', path, body),
  /** A text stream (container logs): calls onText with each chunk until done or aborted. */
  async stream(path, onText, signal) {
    const response = await fetch(`${BASE}${path}`, { headers: headers(false), signal });
    if (response.status === 401) { session.onUnauthorized(); throw new ApiError(401, 1060, 'Your token is unknown or revoked.'); }
    if (!response.ok) {
      let envelope = null;
      try { envelope = await response.json(); } catch (e) { /* not an envelope */ }
      throw new ApiError(response.status, envelope?.code ?? response.status, envelope?.msg ?? `HTTP ${response.status}`, envelope?.field);
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      onText(decoder.decode(value, { stream: true }));
    }
  },
};
