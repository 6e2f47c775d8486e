import { startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import type { Redis } from 'ioredis';
import { newSid } from '../src';
import { commandCalls, makeStore, rawClient, sessionFor } from './helpers';

describe('per-user index: list, revoke, regenerate without SCAN', () => {
  let redis: TestRedis;
  let raw: Redis;
  let a: Awaited<ReturnType<typeof makeStore>>;
  let b: Awaited<ReturnType<typeof makeStore>>;

  beforeAll(async () => {
    redis = await startTestRedis();
    raw = rawClient(redis);
    a = await makeStore(redis.url, 'a', { listLimit: 50 });
    b = await makeStore(redis.url, 'b', { listLimit: 50 });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    raw?.disconnect();
    await redis?.dispose();
  });

  it('lists a user’s sessions with created, last seen, expiry, user agent and IP', async () => {
    const s1 = newSid('u-list');
    const s2 = newSid('u-list');
    await a.store.setSession(s1, sessionFor('u-list'));
    await b.store.setSession(s2, {
      ...sessionFor(),
      auth: { userId: 'u-list', userAgent: 'Firefox', ip: '10.0.0.2' },
    } as never);
    await b.store.setSession(newSid('someone-else'), sessionFor('someone-else'));
    const { total, sessions } = await a.store.listSessions('u-list');
    expect(total).toBe(2);
    expect(sessions.map((s) => s.id)).toEqual([s2, s1]); // newest expiry first
    expect(sessions[0]).toMatchObject({ userAgent: 'Firefox', ip: '10.0.0.2' });
    for (const s of sessions) {
      expect(s.createdAt.getTime()).toBeLessThanOrEqual(s.lastSeenAt.getTime());
      expect(s.expiresAt.getTime()).toBeGreaterThan(s.lastSeenAt.getTime());
      expect(s.absoluteExpiresAt.getTime()).toBeGreaterThanOrEqual(s.expiresAt.getTime());
    }
  });

  it('revokes one session of the user, and never another user’s', async () => {
    const mine = newSid('u-rev');
    const theirs = newSid('u-other');
    await a.store.setSession(mine, sessionFor('u-rev'));
    await a.store.setSession(theirs, sessionFor('u-other'));
    expect(await b.store.revokeSession('u-rev', theirs)).toBe(false);
    expect(await b.store.getSession(theirs)).not.toBeNull();
    expect(await b.store.revokeSession('u-rev', mine)).toBe(true);
    expect(await a.store.getSession(mine)).toBeNull();
    await a.store.setSession(mine, sessionFor('u-rev')); // a late save: refused
    expect(await a.store.getSession(mine)).toBeNull();
    expect((await a.store.listSessions('u-rev')).total).toBe(0);
  });

  it('regenerate at login: the old id dies and the new one is written in one script', async () => {
    const anon = newSid();
    await a.store.setSession(anon, sessionFor(undefined, { cart: 3 }));
    const fresh = newSid('u-login');
    await raw.config('RESETSTAT');
    expect(await b.store.rotate(anon, fresh, sessionFor('u-login', { cart: 3 }))).toBe('saved');
    expect(await commandCalls(raw, 'evalsha')).toBe(1);
    expect(await a.store.getSession(anon)).toBeNull();
    expect(await a.store.getSession(fresh)).toMatchObject({ cart: 3, auth: { userId: 'u-login' } });
    await a.store.setSession(anon, sessionFor(undefined, { cart: 3 })); // the pre-login id cannot come back
    expect(await a.store.getSession(anon)).toBeNull();
    expect((await a.store.listSessions('u-login')).sessions.map((s) => s.id)).toEqual([fresh]);
  });

  it('10,000 sessions of one user: list returns the newest listLimit in one call, no SCAN; revoke all but one', async () => {
    const user = 'u-10k';
    const sids = Array.from({ length: 10_000 }, () => newSid(user));
    for (let i = 0; i < sids.length; i += 200) {
      await Promise.all(sids.slice(i, i + 200).map((sid) => a.store.setSession(sid, sessionFor(user))));
    }
    await raw.config('RESETSTAT');
    const started = Date.now();
    const { total, sessions } = await b.store.listSessions(user);
    const elapsed = Date.now() - started;
    expect(total).toBe(10_000);
    expect(sessions).toHaveLength(50);
    const expiries = sessions.map((s) => s.expiresAt.getTime());
    expect([...expiries].sort((x, y) => y - x)).toEqual(expiries);
    expect(await commandCalls(raw, 'scan')).toBe(0);
    expect(await commandCalls(raw, 'keys')).toBe(0);
    expect(await commandCalls(raw, 'evalsha')).toBe(1);
    expect(elapsed).toBeLessThan(1000);

    const keep = sids[0];
    expect(await b.store.revokeOtherSessions(user, keep)).toBe(9_999);
    expect(await commandCalls(raw, 'scan')).toBe(0);
    const after = await a.store.listSessions(user);
    expect(after.total).toBe(1);
    expect(after.sessions.map((s) => s.id)).toEqual([keep]);
    expect(await a.store.getSession(sids[1])).toBeNull();
    expect(await b.store.revokeAllSessions(user)).toBe(1);
    expect(await raw.exists(a.store.keys.userIndex(user))).toBe(0);
  });
});

describe('failure: Redis down and back', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.dispose();
  });

  it('answers an error at once while Redis is stopped, and works again after a restart without a new store', async () => {
    const { store, close } = await makeStore(redis.url, 'ff'); // commandTimeoutMs 300
    try {
      const sid = newSid('u-ff');
      await store.setSession(sid, sessionFor('u-ff'));
      await redis.stop();
      const started = Date.now();
      const err = await new Promise<unknown>((resolve) => store.get(sid, (e) => resolve(e)));
      expect(err).toBeInstanceOf(Error);
      expect(Date.now() - started).toBeLessThan(300 + 300); // the command timeout, plus scheduling slack
      await expect(store.setSession(sid, sessionFor('u-ff'))).rejects.toThrow();

      await redis.start(); // empty (no persistence) and with no scripts loaded
      await waitFor(
        'store usable again',
        async () => (await store.setSession(sid, sessionFor('u-ff'))) === 'saved',
        {
          timeoutMs: 10_000,
        },
      );
      expect(await store.getSession(sid)).toMatchObject({ auth: { userId: 'u-ff' } });
      expect((await store.listSessions('u-ff')).total).toBe(1);
    } finally {
      await close();
    }
  });
});
