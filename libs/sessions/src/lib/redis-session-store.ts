import { Cluster } from 'ioredis';
import { whenReady, type RedisClient } from '@shop/redis';
import type { Request } from 'express';
import { Store, type SessionData } from 'express-session';
import { SessionIdMismatchError } from './errors';
import { SessionKeys, newSid, tagOfSid, userTag } from './session-keys';
import { destroyScript, rotateScript, setScript, touchScript } from './session-scripts';
import { SessionIndex, type SessionList } from './session-index';
import {
  resolveSessionsOptions,
  type ResolvedSessionsOptions,
  type SessionsOptions,
} from './sessions-options';
import { TouchThrottle } from './touch-throttle';

/** What the store reads from `session[authField]`: the user a session belongs to. */
export interface SessionAuth {
  userId: string;
  userAgent?: string;
  ip?: string;
}

type Callback<T = unknown> = (err?: unknown, value?: T) => void;

const PENDING_USER = Symbol('sessions.pendingUser');
type PendingRequest = Request & { [PENDING_USER]?: string };

/**
 * An `express-session` store on the shared fail-fast ioredis client of `@shop/redis`: each session is a
 * hash with its own TTL (idle, capped by an absolute deadline set at login), each user has an index of
 * their session ids scored by expiry, and every write is one Lua script. A destroyed id is tombstoned,
 * so a request still in flight at logout cannot save the session back.
 *
 * Use `genid: store.genid` so ids carry their Cluster hash tag, and `store.login(req, userId)` at login.
 *
 * @example
 * const store = new RedisSessionStore({ connections, idleTtl: '30m', absoluteTtl: '12h' });
 * app.use(session({ store, genid: store.genid, secret, resave: false, saveUninitialized: false }));
 * app.post('/login', async (req, res) => { await store.login(req, user.id); res.json({ ok: true }); });
 */
export class RedisSessionStore extends Store {
  readonly options: ResolvedSessionsOptions;
  readonly keys: SessionKeys;
  private readonly redis: RedisClient;
  private readonly throttle: TouchThrottle;
  private readonly index: SessionIndex;

  constructor(options: SessionsOptions) {
    super();
    this.options = resolveSessionsOptions(options);
    this.keys = new SessionKeys(this.options.connections.keys, this.options.area);
    // The request profile: no offline queue and a command timeout, so a dead Redis fails the request at once.
    this.redis = this.options.connections.shared('data', 'request');
    this.throttle = new TouchThrottle(Math.floor(this.options.idleTtlMs * this.options.touchAfter));
    this.index = new SessionIndex(this.redis, this.keys, this.options);
  }

  /** Resolves true once the connection is up (false after `timeoutMs`); for start-up, never throws. */
  ready(timeoutMs = 2000): Promise<boolean> {
    return whenReady(this.redis, timeoutMs);
  }

  /**
   * express-session's `genid`: a random tag for anonymous sessions, the user's tag while `login()` runs.
   * An arrow property so it can be passed as `genid: store.genid`.
   */
  readonly genid = (req: Request): string => newSid((req as PendingRequest)[PENDING_USER]);

  override get(sid: string, callback: Callback<SessionData | null>): void {
    // The hot path of every request: straight onto the client's promise, no extra async layer.
    if (!SessionKeys.isValidSid(sid)) return callback(null, null);
    this.redis.hmget(this.keys.sessionOfValid(sid), 'd', 's').then(
      (reply) => {
        let session: SessionData | null;
        try {
          session = this.decode(sid, reply);
        } catch (err) {
          return callback(err);
        }
        callback(null, session);
      },
      (err) => callback(err),
    );
  }

  override set(sid: string, session: SessionData, callback?: Callback): void {
    this.setSession(sid, session, { create: false }).then(
      () => callback?.(),
      (err) => callback?.(err),
    );
  }

  override destroy(sid: string, callback?: Callback): void {
    this.destroySession(sid).then(
      () => callback?.(),
      (err) => callback?.(err),
    );
  }

  override touch(sid: string, _session: SessionData, callback?: (err?: unknown) => void): void {
    this.touchSession(sid).then(
      () => callback?.(),
      (err) => callback?.(err),
    );
  }

  override all(callback: Callback<Record<string, SessionData>>): void {
    this.index.all().then(
      (all) => callback(null, all),
      (err) => callback(err),
    );
  }

  override length(callback: Callback<number>): void {
    this.index.sessionKeys().then(
      (keys) => callback(null, keys.length),
      (err) => callback(err),
    );
  }

  override clear(callback?: Callback): void {
    this.index.clear().then(
      () => callback?.(),
      (err) => callback?.(err),
    );
  }

  /** Every session id (SCAN: an administrative operation, not for the request path). */
  ids(callback: Callback<string[]>): void {
    this.index.sessionKeys().then(
      (keys) =>
        callback(
          null,
          keys.map((k) => this.keys.sidOfKey(k)),
        ),
      (err) => callback(err),
    );
  }

  /** One `HMGET`: the session and when it was last extended (so a following touch can be skipped locally). */
  async getSession(sid: string): Promise<SessionData | null> {
    if (!SessionKeys.isValidSid(sid)) return null;
    return this.decode(sid, await this.redis.hmget(this.keys.sessionOfValid(sid), 'd', 's'));
  }

  private decode(sid: string, [data, seen]: Array<string | null>): SessionData | null {
    if (data === null || data === undefined) return null;
    if (seen !== null && seen !== undefined) this.throttle.seen(sid, Number(seen));
    return JSON.parse(data) as SessionData;
  }

  /**
   * Writes a session; a tombstoned id is refused silently (the late save of a request in flight at
   * logout). `create: false` (what express-session's `set` uses) only updates a session bound to a user:
   * logged-in sessions are created by `login()`, so an expired one is never saved back with a new lifetime.
   */
  async setSession(
    sid: string,
    session: SessionData,
    { create = true }: { create?: boolean } = {},
  ): Promise<'saved' | 'refused' | 'expired'> {
    const auth = this.authOf(session);
    const key = this.checkedKey(sid, auth);
    const [result, now] = await setScript.run(
      this.redis,
      [key, this.keys.tombstone(sid), auth ? this.keys.userIndex(auth.userId) : key],
      [
        sid,
        JSON.stringify(session),
        auth?.userId ?? '',
        auth?.userAgent ?? '',
        auth?.ip ?? '',
        this.options.idleTtlMs,
        this.options.absoluteTtlMs,
        this.keys.userIndexPrefix(sid),
        create ? '1' : '',
      ],
    );
    return this.afterWrite(sid, result, now);
  }

  /** Extends the idle expiry when the throttle allows; skipped without a round trip inside the throttle window. */
  async touchSession(sid: string): Promise<void> {
    if (!SessionKeys.isValidSid(sid) || this.throttle.skip(sid)) return;
    const [, now, seen] = await touchScript.run(
      this.redis,
      [this.keys.session(sid)],
      [sid, this.options.idleTtlMs, this.throttle.windowMs, this.keys.userIndexPrefix(sid)],
    );
    this.throttle.clock(now);
    if (seen > 0) this.throttle.seen(sid, seen);
    else this.throttle.forget(sid);
  }

  /**
   * Which of `sids` still exist (not logged out, revoked or expired): for what outlives a request, such
   * as an open event stream, which must end with its session. One `EXISTS` per distinct id, all sent at
   * once (ids hash to different Cluster slots, so not one multi-key call); a malformed id is not alive.
   */
  async aliveSessions(sids: Iterable<string>): Promise<Set<string>> {
    const distinct = [...new Set(sids)].filter((sid) => SessionKeys.isValidSid(sid));
    const found = await Promise.all(distinct.map((sid) => this.redis.exists(this.keys.session(sid))));
    return new Set(distinct.filter((_, i) => found[i] === 1));
  }

  /** Deletes a session, tombstones its id and removes it from its user's index, in one script. */
  async destroySession(sid: string): Promise<void> {
    if (!SessionKeys.isValidSid(sid)) return;
    this.throttle.forget(sid);
    await destroyScript.run(
      this.redis,
      [this.keys.session(sid), this.keys.tombstone(sid)],
      [sid, this.options.tombstoneTtlMs, this.keys.userIndexPrefix(sid)],
    );
  }

  /**
   * Login: gives the request a new session id tagged by the user and, in one script, destroys the old id
   * and writes the new session bound to `userId` (client user agent and IP recorded for the session list);
   * the old session's data is kept.
   * Needs `genid: store.genid` on the middleware. Defeats session fixation: the pre-login id dies.
   */
  async login(req: Request, userId: string): Promise<void> {
    const oldSid = req.sessionID;
    const generate = (this as unknown as { generate?: (req: Request) => void }).generate;
    if (!generate) throw new Error('login() needs the store to be mounted by express-session');
    // The session's data (a cart, preferences) carries over to the new id; only the cookie is new.
    const { cookie: _cookie, ...carried } = (req.session ?? {}) as unknown as Record<string, unknown>;
    const pending = req as PendingRequest;
    pending[PENDING_USER] = userId;
    try {
      generate(req);
    } finally {
      delete pending[PENDING_USER];
    }
    const auth: SessionAuth = { userId, userAgent: req.get('user-agent') ?? '', ip: req.ip ?? '' };
    Object.assign(req.session, carried, { [this.options.authField]: auth });
    await this.rotate(oldSid, req.sessionID, req.session);
  }

  /** The atomic half of `login()`: destroy `oldSid` and write `session` under `newSid`. */
  async rotate(
    oldSid: string,
    newSid: string,
    session: SessionData,
  ): Promise<'saved' | 'refused' | 'expired'> {
    const auth = this.authOf(session);
    const key = this.checkedKey(newSid, auth);
    if (!SessionKeys.isValidSid(oldSid)) return this.setSession(newSid, session);
    // On a Cluster an anonymous id and the user's id live on different slots: write the new session,
    // then destroy the old one (the old id is anonymous, so the gap grants nothing).
    if (this.redis instanceof Cluster && tagOfSid(oldSid) !== tagOfSid(newSid)) {
      const saved = await this.setSession(newSid, session);
      await this.destroySession(oldSid);
      return saved;
    }
    this.throttle.forget(oldSid);
    const [result, now] = await rotateScript.run(
      this.redis,
      [
        this.keys.session(oldSid),
        this.keys.tombstone(oldSid),
        key,
        this.keys.tombstone(newSid),
        auth ? this.keys.userIndex(auth.userId) : key,
      ],
      [
        oldSid,
        newSid,
        JSON.stringify(session),
        auth?.userId ?? '',
        auth?.userAgent ?? '',
        auth?.ip ?? '',
        this.options.idleTtlMs,
        this.options.absoluteTtlMs,
        this.options.tombstoneTtlMs,
        this.keys.userIndexPrefix(oldSid),
        this.keys.userIndexPrefix(newSid),
      ],
    );
    return this.afterWrite(newSid, result, now);
  }

  /** The user's newest sessions (at most `limit`, default `listLimit`) and their total; one script, no SCAN. */
  listSessions(userId: string, limit = this.options.listLimit): Promise<SessionList> {
    return this.index.list(userId, limit);
  }

  /** Revokes one of the user's sessions; false when the id is not theirs. */
  revokeSession(userId: string, sid: string): Promise<boolean> {
    this.throttle.forget(sid);
    return this.index.revoke(userId, sid);
  }

  /** Revokes every session of the user except `keepSid` (e.g. "log out my other devices"). */
  revokeOtherSessions(userId: string, keepSid: string): Promise<number> {
    return this.index.revokeAll(userId, keepSid);
  }

  /** Revokes every session of the user. */
  revokeAllSessions(userId: string): Promise<number> {
    return this.index.revokeAll(userId, '');
  }

  private authOf(session: SessionData): SessionAuth | undefined {
    const auth = (session as unknown as Record<string, unknown>)[this.options.authField] as
      SessionAuth | undefined;
    return auth && typeof auth.userId === 'string' && auth.userId !== '' ? auth : undefined;
  }

  /** The session key, after checking the id can be a key part and carries its user's tag (one slot). */
  private checkedKey(sid: string, auth: SessionAuth | undefined): string {
    if (!SessionKeys.isValidSid(sid)) throw new Error('invalid session id');
    if (auth && userTag(auth.userId) !== tagOfSid(sid)) throw new SessionIdMismatchError();
    return this.keys.session(sid);
  }

  private afterWrite(sid: string, result: number, now: number): 'saved' | 'refused' | 'expired' {
    this.throttle.clock(now);
    if (result > 0) {
      this.throttle.seen(sid, now);
      return 'saved';
    }
    this.throttle.forget(sid);
    if (result === -2) this.emit('refused', sid);
    return result === -2 ? 'refused' : 'expired';
  }
}
