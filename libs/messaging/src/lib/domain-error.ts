import { CodedError } from '@shop/util';

/**
 * The brand of a deliberate domain error. Its own, not `CodedError`'s: every lib's errors are coded, and
 * only this one is meant for the caller. `Symbol.for` so an error built by another copy of this lib
 * (two bundles in one process) is still recognised, where `instanceof` would fail.
 */
const DOMAIN_ERROR = Symbol.for('@shop/messaging/domain-error');

/**
 * An error a handler throws on purpose, whose code and message are meant for the caller: over the
 * transport it arrives as `MessagingError` `E_REMOTE` with `remoteCode` and `status`, and the HTTP
 * filter answers it with that status, code and message. Every other error (a database's `23505`,
 * `SQLITE_*`, `ECONNREFUSED 10.0.0.5:5432`, even with a string `code`) is internal: logged with its stack
 * by the side that caught it and answered `E_INTERNAL` without its message.
 *
 * @example
 * throw new DomainError('E_ORDER_NOT_FOUND', `order ${id} not found`, 404);
 */
export class DomainError extends CodedError {
  readonly [DOMAIN_ERROR] = true;

  constructor(
    /** Stable, for clients to branch on: `E_<WHAT>` (e.g. `E_ORDER_NOT_FOUND`). */
    code: string,
    message: string,
    /** The HTTP status it maps to, a 4xx: a domain error is the caller's to fix. @default 400 */
    readonly status = 400,
  ) {
    super(code, message);
    if (!/^E_[A-Z0-9_]+$/.test(code))
      throw new RangeError(`domain error code "${code}" must look like E_SOMETHING`);
    if (!Number.isInteger(status) || status < 400 || status > 499) {
      throw new RangeError(`domain error status must be a 4xx, got ${status}`);
    }
  }
}

/** True for a `DomainError`, from this copy of the lib or another. */
export function isDomainError(err: unknown): err is DomainError {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[DOMAIN_ERROR] === true;
}
