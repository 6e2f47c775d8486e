import { RpcException } from '@nestjs/microservices';
import { isDomainError } from '../domain-error';
import type { ReplyEnvelope } from '../envelope';

type ReplyError = NonNullable<ReplyEnvelope['error']>;

const INTERNAL: ReplyError = {
  code: 'E_REMOTE',
  remoteCode: 'E_INTERNAL',
  message: 'internal error in the remote handler',
};

/**
 * Turns a handler's error into a reply the caller can act on. Only deliberate errors keep their details:
 * HttpExceptions (validation -> 400) keep status, message and code; a `DomainError` keeps code, message
 * and status; an `RpcException` whose payload has a string `code` and `message` keeps them. Anything
 * else is internal (`internal: true`, for the receiver to log with its stack) and its message is not
 * sent: a string `code` alone proves nothing, drivers set one too (pg `23505` with the constraint name,
 * `SQLITE_*` with the SQL, `ECONNREFUSED` with an internal address).
 */
export function serializeHandlerError(err: unknown): { reply: ReplyError; internal: boolean } {
  const e = err as { getStatus?: () => number; getResponse?: () => unknown; message?: unknown };
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
  if (isDomainError(err)) {
    return {
      reply: { code: 'E_REMOTE', remoteCode: err.code, status: err.status, message: err.message },
      internal: false,
    };
  }
  if (err instanceof RpcException) {
    const payload = err.getError() as { code?: unknown; message?: unknown } | string;
    if (
      typeof payload === 'object' &&
      typeof payload?.code === 'string' &&
      typeof payload.message === 'string'
    ) {
      return {
        reply: { code: 'E_REMOTE', remoteCode: payload.code, message: payload.message },
        internal: false,
      };
    }
  }
  return { reply: { ...INTERNAL }, internal: true };
}
