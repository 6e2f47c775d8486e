import { CodedError } from '@shop/util';

/** Codes carried by every messaging error, so callers branch on `code`, not on message text. */
export type MessagingErrorCode =
  | 'E_TIMEOUT' // no reply before the caller's deadline
  | 'E_NO_HANDLER' // the receiving service has no handler for the pattern
  | 'E_REMOTE' // the handler threw; `remoteCode` / `status` carry its details
  | 'E_UNAVAILABLE' // Redis did not take the message (not connected, or it refused it): not sent, safe to retry
  | 'E_OUTCOME_UNKNOWN' // the write timed out or its connection dropped: it may have been executed
  | 'E_CLOSED'; // the client was closed while waiting

/** An error of a `send()`/`emit()` over the Redis Streams transport. */
export class MessagingError extends CodedError<MessagingErrorCode> {
  constructor(
    code: MessagingErrorCode,
    message: string,
    /** For `E_REMOTE`: the handler's own error code (e.g. `E_VALIDATION`, `E_ORDER_NOT_FOUND`). */
    readonly remoteCode?: string,
    /** For `E_REMOTE`: an HTTP-like status when the handler threw an HttpException (400 for validation). */
    readonly status?: number,
    /**
     * For `E_UNAVAILABLE` / `E_OUTCOME_UNKNOWN` of `emit()`: the message id that was (maybe) written.
     * Retry with `new StreamsRecord(data, { messageId })` so consumers can deduplicate a second copy.
     */
    readonly messageId?: string,
  ) {
    super(code, message);
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      remoteCode: this.remoteCode,
      status: this.status,
      messageId: this.messageId,
    };
  }
}

/**
 * What a failed write to Redis means for its caller. Refused (safe to retry): the client never sent it
 * (not connected: ioredis' "Stream isn't writeable" / "Cluster isn't ready" with no offline queue) or
 * Redis answered with an error (`ReplyError`: OOM, WRONGTYPE, READONLY). Anything else — a command
 * timeout, a connection closed while the command was on the wire — may have been executed by Redis.
 */
export function writeFailureCode(err: unknown): 'E_UNAVAILABLE' | 'E_OUTCOME_UNKNOWN' {
  if (!(err instanceof Error)) return 'E_OUTCOME_UNKNOWN';
  if (err.name === 'ReplyError') return 'E_UNAVAILABLE';
  if (/isn't writeable|isn't ready|enableOfflineQueue/.test(err.message)) return 'E_UNAVAILABLE';
  return 'E_OUTCOME_UNKNOWN';
}
