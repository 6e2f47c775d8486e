/** An HTTP status for an error code; the fallback for every code the table does not name, or none. */
export type StatusOf = (code: string | undefined) => number;

/**
 * Turns a table of error codes into their HTTP statuses, with one status for every other code (or none).
 * The table is checked once, here: a typo such as `5030` fails at startup, not on the first error.
 * Lookups go through a `Map`, so a code such as `constructor` or `__proto__` can never hit
 * `Object.prototype` and answer a function. Given a code union (`statusMap<MessagingErrorCode>(...)`), the
 * table may list some of its codes and no other: a misspelled code fails to compile.
 *
 * @example
 * const statusOf = statusMap({ E_TIMEOUT: 504, E_UNAVAILABLE: 503 }, 502);
 * statusOf('E_TIMEOUT'); // 504
 * statusOf('E_NO_HANDLER'); // 502
 */
export function statusMap<C extends string>(
  table: Readonly<Partial<Record<C, number>>>,
  fallback: number,
): StatusOf {
  checkStatus(fallback, 'the fallback');
  const byCode = new Map<string, number>();
  for (const [code, status] of Object.entries<number | undefined>(table)) {
    if (status === undefined) continue;
    checkStatus(status, code);
    byCode.set(code, status);
  }
  return (code) => (code === undefined ? undefined : byCode.get(code)) ?? fallback;
}

function checkStatus(status: number, what: string): void {
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new RangeError(`status of ${what} must be an HTTP status (100-599), got ${status}`);
  }
}
