import { startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import type { SessionData } from 'express-session';
import type { Redis } from 'ioredis';
import { newSid, type RedisSessionStore } from '../src';
import { commandCalls, makeStore, rawClient, redisNow, sessionFor } from './helpers';

const cb =
  <T>(fn: (done: (err?: unknown, value?: T) => void) => void) =>
  () =>
    new Promise<T | undefined>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

describe('RedisSessionStore against a real Redis, two instances', () => {
  let redis: TestRedis;
  let raw: Redis;
  let a: Awaited<ReturnType<typeof makeStore>>;
  let b: Awaited<ReturnType<typeof makeStore>>;

  beforeAll(async () => {
    redis = await startTestRedis();
    raw = rawClient(redis);
    a = await makeStore(redis.url, 'a');
    b = await makeStore(redis.url, 'b');
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    raw?.disconnect();
    await redis?.dispose();
  });

  const get = (s: RedisSessionStore, sid: string) => cb<SessionData | null>((d) => s.get(sid, d))();
  const set = (s: RedisSessionStore, sid: string, sess: SessionData) => cb((d) => s.set(sid, sess, d))();

  it('implements the whole Store interface: get, set, touch, destroy, all, length, ids, clear', async () => {
    const s1 = newSid();
    const s2 = newSid('u-iface');
    await set(a.store, s1, sessionFor(undefined, { n: 1 }));
    await a.store.setSession(s2, sessionFor('u-iface', { n: 2 })); // logged-in sessions are created explicitly
    expect(await get(b.store, s1)).toMatchObject({ n: 1 });
    expect(await get(b.store, s2)).toMatchObject({ n: 2, auth: { userId: 'u-iface' } });
    await cb((d) => b.store.touch(s1, sessionFor(), d))();
    expect(await cb<number>((d) => b.store.length(d))()).toBe(2);
    expect((await cb<string[]>((d) => b.store.ids(d))())?.sort()).toEqual([s1, s2].sort());
    const all = await cb<Record<string, SessionData>>((d) => b.store.all(d))();
    expect(Object.keys(all ?? {}).sort()).toEqual([s1, s2].sort());
    await cb((d) => b.store.destroy(s1, d))();
    expect(await get(a.store, s1)).toBeNull();
    await cb((d) => a.store.clear(d))();
    expect(await cb<number>((d) => a.store.length(d))()).toBe(0);
    expect(await raw.keys('st:sess:*')).toEqual([]);
  });

  it('answers null for an unknown or malformed id instead of building a key from it', async () => {
    expect(await get(a.store, newSid())).toBeNull();
    expect(await get(a.store, 'x:*{evil}')).toBeNull();
  });

  it('aliveSessions names the ids that still exist: not destroyed, revoked, unknown or malformed', async () => {
    const [kept, loggedOut, revoked] = [newSid('u-alive'), newSid('u-alive'), newSid('u-alive')];
    for (const sid of [kept, loggedOut, revoked]) await a.store.setSession(sid, sessionFor('u-alive'));
    expect(await b.store.aliveSessions([kept, loggedOut, revoked, kept])).toEqual(
      new Set([kept, loggedOut, revoked]),
    );
    await b.store.destroySession(loggedOut);
    expect(await a.store.revokeSession('u-alive', revoked)).toBe(true);
    expect(await a.store.aliveSessions([kept, loggedOut, revoked, newSid(), 'x:*{evil}'])).toEqual(
      new Set([kept]),
    );
    expect(await a.store.aliveSessions([])).toEqual(new Set());
  });

  it('refuses to bind a user to an id not issued for them (login must regenerate)', async () => {
    await expect(set(a.store, newSid(), sessionFor('u-fixation'))).rejects.toMatchObject({
      code: 'E_SESSION_NOT_REGENERATED',
    });
  });

  it('a set or touch after a destroy never brings the session back (late save of an in-flight request)', async () => {
    const sid = newSid('u-race');
    await a.store.setSession(sid, sessionFor('u-race', { cart: 1 }));
    const inFlight = await get(a.store, sid); // request 1 on instance a loaded the session
    await cb((d) => b.store.destroy(sid, d))(); // logout on instance b
    await set(a.store, sid, { ...(inFlight as SessionData), cart: 2 } as SessionData); // request 1 ends
    await cb((d) => a.store.touch(sid, inFlight as SessionData, d))();
    expect(await get(a.store, sid)).toBeNull();
    expect(await get(b.store, sid)).toBeNull();
    expect(await raw.exists(a.store.keys.session(sid))).toBe(0);
    expect((await a.store.listSessions('u-race')).total).toBe(0);
    expect(await raw.pttl(a.store.keys.tombstone(sid))).toBeGreaterThan(0);
  });

  it('every key has a TTL; the index TTL is the furthest session expiry', async () => {
    const s1 = newSid('u-ttl');
    const s2 = newSid('u-ttl');
    await a.store.setSession(s1, sessionFor('u-ttl'));
    await b.store.setSession(s2, sessionFor('u-ttl'));
    const idx = a.store.keys.userIndex('u-ttl');
    const e1 = Number(await raw.call('PEXPIRETIME', a.store.keys.session(s1)));
    const e2 = Number(await raw.call('PEXPIRETIME', a.store.keys.session(s2)));
    expect(e1).toBeGreaterThan(0);
    expect(Number(await raw.call('PEXPIRETIME', idx))).toBe(Math.max(e1, e2));
    expect(Number(await raw.zscore(idx, s2))).toBe(e2);
  });
});

describe('expiry: idle (rolling) and absolute, enforced by Redis', () => {
  let redis: TestRedis;
  let raw: Redis;
  beforeAll(async () => {
    redis = await startTestRedis();
    raw = rawClient(redis);
  });
  afterAll(async () => {
    raw?.disconnect();
    await redis?.dispose();
  });

  it('a session not seen for idleTtl is gone; the index forgets it', async () => {
    const { store, close } = await makeStore(redis.url, 'idle', { idleTtl: 300, absoluteTtl: '1h' });
    try {
      const sid = newSid('u-idle');
      await store.setSession(sid, sessionFor('u-idle'));
      const pttl = await raw.pttl(store.keys.session(sid));
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(300);
      const loaded = await store.getSession(sid); // a request in flight while the session expires
      await waitFor('idle expiry', async () => (await store.getSession(sid)) === null, { timeoutMs: 3000 });
      expect((await store.listSessions('u-idle')).total).toBe(0);
      // Its late save (express-session's set) does not bring the logged-in session back.
      await new Promise<void>((resolve, reject) =>
        store.set(sid, loaded as SessionData, (err) => (err ? reject(err) : resolve())),
      );
      expect(await store.getSession(sid)).toBeNull();
    } finally {
      await close();
    }
  });

  it('touch keeps extending the idle expiry but never past the absolute deadline', async () => {
    const { store, close } = await makeStore(redis.url, 'abs', {
      idleTtl: 600,
      absoluteTtl: 1500,
      touchAfter: 0,
    });
    try {
      const sid = newSid('u-abs');
      await store.setSession(sid, sessionFor('u-abs'));
      const key = store.keys.session(sid);
      const absolute = Number(await raw.hget(key, 'a'));
      // Rolling: touched more often than idleTtl, it outlives idleTtl; it dies at the absolute deadline.
      const seenAlive: number[] = [];
      await waitFor(
        'absolute expiry while touched',
        async () => {
          await store.touchSession(sid);
          const exp = Number(await raw.call('PEXPIRETIME', key));
          if (exp > 0) {
            expect(exp).toBeLessThanOrEqual(absolute);
            seenAlive.push(await redisNow(raw));
          }
          return exp < 0;
        },
        { timeoutMs: 5000, intervalMs: 100 },
      );
      const created = absolute - 1500;
      expect(Math.max(...seenAlive) - created).toBeGreaterThan(600); // outlived one idle period
      expect(await store.getSession(sid)).toBeNull();
      expect((await store.listSessions('u-abs')).total).toBe(0);
      // A request in flight at the deadline cannot save it back with a new absolute lifetime.
      await new Promise<void>((resolve, reject) =>
        store.set(sid, sessionFor('u-abs'), (err) => (err ? reject(err) : resolve())),
      );
      expect(await raw.exists(key)).toBe(0);
    } finally {
      await close();
    }
  });

  it('touch is throttled: inside the window nothing is written (nor sent by the instance that read it)', async () => {
    const a = await makeStore(redis.url, 'ta', { idleTtl: 4000, touchAfter: 0.25 }); // window 1 s
    const b = await makeStore(redis.url, 'tb', { idleTtl: 4000, touchAfter: 0.25 });
    try {
      const sid = newSid('u-touch');
      await a.store.setSession(sid, sessionFor('u-touch'));
      const key = a.store.keys.session(sid);
      const before = Number(await raw.call('PEXPIRETIME', key));
      await a.store.getSession(sid);
      await raw.config('RESETSTAT');
      await a.store.touchSession(sid); // a knows when it was last extended: no round trip
      expect(await commandCalls(raw, 'evalsha')).toBe(0);
      await b.store.touchSession(sid); // b does not: the script decides, and declines
      expect(await commandCalls(raw, 'evalsha')).toBe(1);
      expect(Number(await raw.call('PEXPIRETIME', key))).toBe(before);
      await waitFor(
        'throttle window to pass (Redis time)',
        async () => (await redisNow(raw)) - before + 4000 > 1100,
        { timeoutMs: 3000 },
      );
      await b.store.touchSession(sid);
      expect(Number(await raw.call('PEXPIRETIME', key))).toBeGreaterThan(before);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
