import type { ReplyEnvelope } from '../envelope';

type ReplyError = NonNullable<ReplyEnvelope['error']>;

/**
 * Turns a handler's error into a reply the caller can act on: HttpExceptions (validation -> 400) keep
 * their status, message and code; errors with a string `code` keep it; anything else is an internal
 * error whose message is not sent (it may hold internals) — the receiver logs it instead.
 */
export function serializeHandlerError(err: unknown): { reply: ReplyError; internal: boolean } {
  const e = err as {
    getStatus?: () => number;
    getResponse?: () => unknown;
    code?: unknown;
    message?: unknown;
    error?: unknown;
  };
  if (typeof e?.getStatus === 'function' && typeof e.getResponse === 'function') {
    const status = e.getStatus();
    const body = e.getResponse() as { message?: string | string[]; code?: string } | string;
    const message =
      typeof body === 'string'
        ? body
        : Array.isArray(body.message)
          ? body.message.join('; ')
          : (body.message ?? String(e.message));
    const code =
      typeof body === 'object' && body.code
        ? body.code
        : status === 400
          ? 'E_VALIDATION'
          : `E_HTTP_${status}`;
    return { reply: { code: 'E_REMOTE', remoteCode: code, status, message }, internal: false };
  }
  // An RpcException's payload, or a domain error carrying a code.
  const payload = (e?.error && typeof e.error === 'object' ? e.error : e) as {
    code?: unknown;
    message?: unknown;
  };
  if (typeof payload?.code === 'string' && typeof payload.message === 'string') {
    return {
      reply: { code: 'E_REMOTE', remoteCode: payload.code, message: payload.message },
      internal: false,
    };
  }
  return {
    reply: { code: 'E_REMOTE', remoteCode: 'E_INTERNAL', message: 'internal error in the remote handler' },
    internal: true,
  };
}
