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

/** Sends a request; answers the parsed JSON (or null), throws ApiError for every problem. */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && csrf) headers[CSRF_HEADER] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(ROOT + path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, { detail: 'the gateway cannot be reached: ' + e.message });
  }
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  const token = response.headers.get(CSRF_HEADER);
  if (token) rememberCsrf(token);
  return response.status === 204 ? null : response.json();
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
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('PUT', ROOT + path);
    request.withCredentials = true;
    request.setRequestHeader('Accept', 'application/json');
    request.setRequestHeader('Content-Type', contentType);
    if (csrf) request.setRequestHeader(CSRF_HEADER, csrf);
    request.upload.addEventListener('progress', event => onProgress(event.loaded, event.total || file.size));
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
    request.send(file);
  });
}
