/** Codes carried by every messaging error, so callers branch on `code`, not on message text. */
export type MessagingErrorCode =
  | 'E_TIMEOUT' // no reply before the caller's deadline
  | 'E_NO_HANDLER' // the receiving service has no handler for the pattern
  | 'E_REMOTE' // the handler threw; `remoteCode` / `status` carry its details
  | 'E_UNAVAILABLE' // Redis could not take the command
  | 'E_CLOSED'; // the client was closed while waiting

/** An error of a `send()`/`emit()` over the Redis Streams transport. */
export class MessagingError extends Error {
  constructor(
    readonly code: MessagingErrorCode,
    message: string,
    /** For `E_REMOTE`: the handler's own error code (e.g. `E_VALIDATION`, `E_ORDER_NOT_FOUND`). */
    readonly remoteCode?: string,
    /** For `E_REMOTE`: an HTTP-like status when the handler threw an HttpException (400 for validation). */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'MessagingError';
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, remoteCode: this.remoteCode, status: this.status };
  }
}
