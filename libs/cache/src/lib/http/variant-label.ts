import type { Request } from 'express';

/** What a route's `variant` function returns: a label, or nothing to tell. */
export type VariantOf = (req: Request) => string | number | null | undefined;

/**
 * What a route's `variant` function said about a request:
 * - `label`: a usable label, already in the form the key takes (`admin`, `3`);
 * - `none`: it returned `null`/`undefined` (no variant: the plain shared key, for an anonymous caller);
 * - `unusable`: it threw, or returned something no key may carry (fail closed: the request bypasses).
 */
export type VariantLabel = { kind: 'label'; label: string } | { kind: 'none' } | { kind: 'unusable' };

/**
 * Short, and only characters the key grammar takes as they are: no separator (`;`, `=`), no `%` (an
 * encoded separator), no CR/LF. A label is a name for a group of callers, never data from a request.
 */
const LABEL = /^[A-Za-z0-9_.-]{1,32}$/;

/** Calls the route's `variant` function for `req` and classifies its answer. */
export function variantLabel(variant: VariantOf, req: Request): VariantLabel {
  let value: unknown;
  try {
    value = variant(req);
  } catch {
    return { kind: 'unusable' };
  }
  if (value === undefined || value === null) return { kind: 'none' };
  // `7` and `'7'` are one label, as they are one user id. NaN/Infinity come from a failed computation
  // (`Number(undefined)`): every caller it failed for would share one entry.
  if (typeof value === 'number')
    return Number.isFinite(value) ? { kind: 'label', label: String(value) } : { kind: 'unusable' };
  return typeof value === 'string' && LABEL.test(value)
    ? { kind: 'label', label: value }
    : { kind: 'unusable' };
}
