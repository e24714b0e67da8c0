// The console's only way to the API: same origin, the HttpOnly session cookie, and the session's
// CSRF token (from sign-in or GET /users/me, kept in memory only) on every change.
export const ROOT = '/api/v1';
const CSRF_HEADER = 'X-CSRF-Token';
let csrf = null;

/** A problem+json answer, in words: its detail and the fields it names. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `the gateway answered ${status}`);
    this.status = status;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }
}

export function rememberCsrf(token) {
  csrf = token || null;
}

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return { detail: `the gateway answered ${response.status} ${response.statusText}` };
  }
}

/**
 * How long to wait before each new try of a request that never reached an answer (a dropped
 * connection; Chrome aborts requests in flight with ERR_NETWORK_CHANGED whenever an interface comes
 * or goes, a VPN or a container's veth): about 7.5 s in all, then the error is shown.
 */
const RETRY_DELAYS_MS = [500, 1000, 2000, 4000];

/** Requests that may be sent twice: the idempotent methods, and a POST that carries an Idempotency-Key. */
function safeToRetry(method, headers) {
  return ['GET', 'HEAD', 'PUT', 'DELETE'].includes(method) || 'Idempotency-Key' in headers;
}

/** The line under the header that says a request is being tried again (hidden when none is). */
function connectionNotice(text) {
  const element = document.getElementById('connection');
  if (!element) return;
  element.textContent = text || '';
  element.hidden = !text;
}

async function send(method, path, init) {
  const retries = safeToRetry(method, init.headers) ? RETRY_DELAYS_MS : [];
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(ROOT + path, init);
      if (attempt > 0) connectionNotice(null);
      return response;
    } catch (e) {
      if (attempt >= retries.length) {
        if (attempt > 0) connectionNotice(null);
        throw new ApiError(0, { detail: 'the gateway cannot be reached: ' + e.message });
      }
      connectionNotice(`The gateway cannot be reached (${e.message}): trying again, ${attempt + 1} of ${retries.length}…`);
      await new Promise(resolve => setTimeout(resolve, retries[attempt]));
    }
  }
}

/**
 * Sends a request (with {@code extraHeaders}); answers the parsed JSON (or null), throws ApiError for every problem.
 * One that got no answer at all is tried again when sending it twice is harmless (see safeToRetry).
 */
export async function api(method, path, body, extraHeaders = {}) {
  const headers = { Accept: 'application/json', ...extraHeaders };
  if (method !== 'GET' && csrf) headers[CSRF_HEADER] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await send(method, path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  const token = response.headers.get(CSRF_HEADER);
  if (token) rememberCsrf(token);
  return response.status === 204 ? null : response.json();
}

/**
 * A fresh Idempotency-Key. crypto.randomUUID exists only in secure contexts (https, localhost);
 * a console served over plain http elsewhere still has getRandomValues.
 */
export function idempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, '0')).join('');
}

/** A response whose body is read as it comes (logs that follow). */
export async function stream(path, signal) {
  const response = await fetch(ROOT + path, { credentials: 'same-origin', signal });
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  return response.body.pipeThrough(new TextDecoderStream()).getReader();
}

/**
 * Sends a file as the body of a PUT, streamed by the browser (never read whole into the page),
 * with the CSRF header; onProgress(sent, total) as the bytes leave. XHR, because fetch cannot
 * report an upload's progress. Answers the parsed JSON, throws ApiError like api(). The content
 * type says what the bytes are: a dataset's .tar is a directory; a file put into an environment
 * goes as octet-stream, so that a .tar is written as it is, not extracted.
 */
export function upload(path, file, onProgress, contentType = file.type || 'application/octet-stream') {
  return transfer('PUT', path, file, onProgress, contentType);
}

/**
 * POSTs a multipart form (FormData: a model's or an app's files) with upload progress, as upload()
 * does; the browser writes the multipart boundary into the content type itself.
 */
export function uploadParts(path, parts, onProgress) {
  return transfer('POST', path, parts, onProgress, null);
}

function transfer(method, path, body, onProgress, contentType) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, ROOT + path);
    request.withCredentials = true;
    request.setRequestHeader('Accept', 'application/json');
    if (contentType) request.setRequestHeader('Content-Type', contentType);
    if (csrf) request.setRequestHeader(CSRF_HEADER, csrf);
    request.upload.addEventListener('progress', event => onProgress(event.loaded, event.total || body.size || 0));
    request.addEventListener('load', () => {
      let answer;
      try {
        answer = JSON.parse(request.responseText);
      } catch {
        answer = { detail: `the gateway answered ${request.status} ${request.statusText}` };
      }
      if (request.status >= 200 && request.status < 300) resolve(answer);
      else reject(new ApiError(request.status, answer));
    });
    request.addEventListener('error', () => reject(new ApiError(0, { detail: 'the gateway cannot be reached' })));
    request.addEventListener('abort', () => reject(new ApiError(0, { detail: 'the upload was cancelled' })));
    request.send(body);
  });
}

/**
 * A request whose answer is shown as it came (a service's own answer through call/): its status,
 * content type and text, whatever the status; throws ApiError only when the gateway cannot be reached.
 */
export async function raw(method, path) {
  const headers = {};
  if (method !== 'GET' && csrf) headers[CSRF_HEADER] = csrf;
  try {
    // no-store: a "try it" must reach the app each time, never the browser's cache of the last answer.
    const response = await fetch(ROOT + path, { method, headers, credentials: 'same-origin', cache: 'no-store' });
    return { status: response.status, contentType: response.headers.get('content-type') || '', text: await response.text() };
  } catch (e) {
    throw new ApiError(0, { detail: 'the gateway cannot be reached: ' + e.message });
  }
}
