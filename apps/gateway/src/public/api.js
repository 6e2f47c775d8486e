// The gateway's public JSON API, as the page uses it: same-origin fetch (the browser adds the session
// cookie, `Origin` and `Sec-Fetch-Site: same-origin` the CSRF checks want), JSON bodies, bounded waits.

const TIMEOUT_MS = 10_000;

/** An answer that was not 2xx, with the gateway's error body `{ statusCode, message, code, requestId }`. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {{ message?: string | string[], code?: string, requestId?: string } | undefined} body
   * @param {string | null} retryAfter
   */
  constructor(status, body, retryAfter = null) {
    const text = Array.isArray(body?.message) ? body.message.join('; ') : body?.message;
    super(text || `the server answered ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = body?.code;
    this.requestId = body?.requestId;
    this.retryAfter = retryAfter;
  }
}

/**
 * One API call. Resolves with the parsed JSON body (`undefined` for 204), rejects with `ApiError` for
 * any other status and with a plain `Error` when the network or the timeout failed.
 *
 * @param {string} path e.g. `/api/products?limit=100`
 * @param {{ method?: string, body?: unknown, headers?: Record<string, string> }} [options]
 * @returns {Promise<any>}
 */
export async function api(path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json', ...options.headers };
  /** @type {RequestInit} */
  const init = {
    method: options.method ?? 'GET',
    headers,
    credentials: 'same-origin',
    signal: AbortSignal.timeout(TIMEOUT_MS),
  };
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    const reason = err instanceof DOMException && err.name === 'TimeoutError' ? 'timed out' : 'failed';
    throw new Error(`the request to the server ${reason}; check the connection and try again`);
  }
  const text = await res.text();
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) throw new ApiError(res.status, body, res.headers.get('retry-after'));
  return body;
}

/**
 * A sentence for a person: the server's message, what to do about a limit, and the request id to quote.
 *
 * @param {unknown} err
 */
export function describeError(err) {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  let text = err.message;
  if (err.status === 401 && err.code === 'E_UNAUTHENTICATED') text = 'Please log in first.';
  if (err.status === 429 && err.retryAfter) text += ` Try again in ${err.retryAfter} s.`;
  if (err.requestId) text += ` (request ${err.requestId})`;
  return text;
}

/** A fresh `Idempotency-Key` for one intended order (a retry of the same click reuses it). */
export function newIdempotencyKey() {
  return `web-${crypto.randomUUID()}`;
}
