import type { Request } from 'express';

/**
 * Tells the HTTP cache who the caller is: an id (string, number, bigint, or an object such as a Mongo
 * `ObjectId` whose `toString()` is the id), or `undefined`/`null` when it cannot tell.
 *
 * @example
 * // Passport/JWT apps whose user object is `{ accountId, ... }`:
 * CacheModule.forRoot({ http: { identify: (req) => (req as AuthRequest).user?.accountId } })
 */
export type IdentifyRequest = (req: Request) => unknown;

type MaybeAuthenticated = Request & { user?: unknown; session?: { userId?: unknown } };

/** The fields user objects usually carry their id in: Passport/TypeORM, Nest's JWT example, JWT claims, Mongo. */
const ID_FIELDS = ['id', 'userId', 'sub', '_id'] as const;

/** `req.user.id ?? .userId ?? .sub ?? ._id`, else `req.session.userId`. */
export const defaultIdentify: IdentifyRequest = (req) => {
  const { user, session } = req as MaybeAuthenticated;
  if (user !== null && typeof user === 'object') {
    const fields = user as Record<string, unknown>;
    for (const field of ID_FIELDS) {
      if (fields[field] !== undefined && fields[field] !== null) return fields[field];
    }
  }
  return session?.userId;
};

/**
 * Whether the request carries a user at all, whatever its shape: `req.user` set (anything but
 * `undefined`/`null`/`false`), or a session that names a user. Such a request is never served or stored
 * under a shared key, even if no id can be read from it.
 */
export function carriesUser(req: Request): boolean {
  const { user, session } = req as MaybeAuthenticated;
  return (user !== undefined && user !== null && user !== false) || (session?.userId ?? null) !== null;
}

/**
 * The id as a string for the cache key (`7` and `'7'` are one user), or undefined when `value` is no
 * usable id (empty string, NaN, a plain object, an array, a function...). Failing closed matters: an
 * unusable id must not collapse different users onto one key.
 */
export function identityOf(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value === '' ? undefined : value;
    case 'number':
      return Number.isFinite(value) ? String(value) : undefined;
    case 'bigint':
      return String(value);
    case 'object': {
      // An ObjectId-like value: its own toString() gives the id; a plain object's would be "[object Object]".
      if (value === null || Array.isArray(value) || value.toString === Object.prototype.toString)
        return undefined;
      const text = String(value);
      return text === '' || text.startsWith('[object ') ? undefined : text;
    }
    default:
      return undefined;
  }
}
