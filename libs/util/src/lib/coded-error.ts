/**
 * The brand of every coded error. `Symbol.for` so an error built by another copy of this lib (two
 * bundles in one process, a lib resolved twice) is still recognised, where `instanceof` would fail.
 */
const CODED_ERROR = Symbol.for('@shop/util/coded-error');

/**
 * The base of the workspace's error classes: a stable `code` (`E_<WHAT>`) callers branch on instead of
 * the message text, an optional `cause`, and `name` taken from the subclass, so logs and stack traces
 * say which class was thrown without each subclass repeating its own name.
 *
 * Being coded says nothing about who may read the message: whether a client sees it is the filters'
 * decision (only a messaging `DomainError` is meant for callers; everything else answers `E_INTERNAL`).
 *
 * @example
 * export class InvalidKeyPartError extends CodedError<'E_INVALID_KEY_PART'> {
 *   constructor(part: string, reason: string) {
 *     super('E_INVALID_KEY_PART', `invalid key part ${part}: ${reason}`);
 *   }
 * }
 * if (isCodedError(err) && err.code === 'E_INVALID_KEY_PART') ...
 */
export abstract class CodedError<C extends string = string> extends Error {
  constructor(
    /** Stable, for callers to branch on. */
    readonly code: C,
    message: string,
    /** `cause` only when given: an own `cause: undefined` would show up in logs and deep equality. */
    options?: { cause?: unknown },
  ) {
    super(message, options);
    // `new.target`: the class actually constructed, however deep the hierarchy.
    this.name = new.target.name;
  }
}

// On the prototype, not an own field: the brand stays out of `Object.keys`, logs and deep equality.
Object.defineProperty(CodedError.prototype, CODED_ERROR, { value: true });

/** True for a `CodedError` from this copy of the lib or another (the brand, then a string `code`). */
export function isCodedError(err: unknown): err is CodedError {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as Record<symbol, unknown>)[CODED_ERROR] === true &&
    typeof (err as { code?: unknown }).code === 'string'
  );
}
