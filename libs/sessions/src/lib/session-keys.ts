import { KeyBuilder } from '@shop/redis';
import { createHash, randomBytes } from 'node:crypto';

/**
 * Session ids carry their Cluster hash tag: `<tag>.<secret>`. An anonymous session's tag is random (so
 * anonymous sessions spread over every slot); a logged-in session's tag is derived from the user id, so
 * all of one user's sessions, their tombstones and the user's index share one slot and every script
 * touches a single slot. An id without a `.` (issued by another `genid`) is its own tag.
 */
const TAG_CHARS = 10;

/** The hash tag of a user: 60 bits of SHA-256 over the user id (base64url), stable across instances. */
export function userTag(userId: string): string {
  return createHash('sha256').update(userId).digest('base64url').slice(0, TAG_CHARS);
}

/** The tag part of a session id. */
export function tagOfSid(sid: string): string {
  const dot = sid.indexOf('.');
  return dot > 0 ? sid.slice(0, dot) : sid;
}

/** A new session id: 192 random bits, tagged by the user (login) or randomly (anonymous). */
export function newSid(userId?: string): string {
  const tag =
    userId === undefined ? randomBytes(8).toString('base64url').slice(0, TAG_CHARS) : userTag(userId);
  return `${tag}.${randomBytes(24).toString('base64url')}`;
}

/** The keys of one session; every key of one tag lands on one Cluster slot. */
export class SessionKeys {
  /** `<prefix>:<area>:{`, validated once: the session key is built on every request. */
  private readonly head: string;

  constructor(
    private readonly keys: KeyBuilder,
    private readonly area: string,
  ) {
    this.head = `${keys.key(area)}:{`;
  }

  /** `<prefix>:<area>:{<tag>}:s:<sid>`: a hash (d = data JSON, c/s = created/last extended ms, a = absolute deadline ms, u/ua/ip). */
  session(sid: string): string {
    return SessionKeys.isValidSid(sid)
      ? this.sessionOfValid(sid)
      : this.keys.tagged(this.area, tagOfSid(sid), 's', sid); // throws what it always threw
  }

  /**
   * `session(sid)` for an id that passed `isValidSid` (the request path checks it first): its tag is a
   * non-empty part of it, so neither needs checking again (what `KeyBuilder.tagged` would do).
   */
  sessionOfValid(sid: string): string {
    return `${this.head}${tagOfSid(sid)}}:s:${sid}`;
  }

  /** `<prefix>:<area>:{<tag>}:x:<sid>`: the tombstone of a destroyed id. */
  tombstone(sid: string): string {
    return this.keys.tagged(this.area, tagOfSid(sid), 'x', sid);
  }

  /** `<prefix>:<area>:{<userTag>}:u:<userId>`: the user's index, a sorted set of sids scored by expiry ms. */
  userIndex(userId: string): string {
    return this.keys.tagged(this.area, userTag(userId), 'u', userId);
  }

  /** The index key without the user id, so a script can name the index of the user stored in a session. */
  userIndexPrefix(sid: string): string {
    return `${this.keys.tagged(this.area, tagOfSid(sid), 'u')}:`;
  }

  /** SCAN pattern of every session key (whole-store operations only: all, ids, length, clear). */
  sessionPattern(): string {
    return `${this.keys.key(this.area)}:{*}:s:*`;
  }

  /** SCAN pattern of every key of the store, for `clear()`. */
  storePattern(): string {
    return this.keys.pattern(this.area);
  }

  /** The sid of a session key found by SCAN. */
  sidOfKey(key: string): string {
    return key.slice(key.lastIndexOf(':') + 1);
  }

  /** Whether an id can be part of a key (ids come from cookies: never trust them). */
  static isValidSid(sid: unknown): sid is string {
    return typeof sid === 'string' && sid.length <= 120 && KeyBuilder.isValidPart(sid);
  }
}
