import { startTestRedisCluster, type TestRedisCluster } from '@shop/testing';
import { newSid } from '../src';
import { makeStore, sessionFor } from './helpers';

describe('on a Redis Cluster: every script stays on one slot', () => {
  let cluster: TestRedisCluster;
  beforeAll(async () => {
    cluster = await startTestRedisCluster();
  });
  afterAll(async () => {
    await cluster?.dispose();
  });

  it('set, get, touch, login from an anonymous id, list, revoke, destroy and the whole-store operations', async () => {
    const a = await makeStore(cluster.url, 'ca', { touchAfter: 0 });
    const b = await makeStore(cluster.url, 'cb');
    try {
      const users = ['alice', 'bob', 'carol', 'dave'];
      const sids = users.flatMap((u) => [newSid(u), newSid(u)]);
      for (const [i, sid] of sids.entries()) await a.store.setSession(sid, sessionFor(users[i >> 1]));
      for (const sid of sids) {
        await a.store.touchSession(sid);
        expect(await b.store.getSession(sid)).not.toBeNull();
      }
      const anon = newSid();
      await b.store.setSession(anon, sessionFor(undefined, { cart: 1 }));
      const fresh = newSid('alice');
      expect(await b.store.rotate(anon, fresh, sessionFor('alice', { cart: 1 }))).toBe('saved');
      expect(await a.store.getSession(anon)).toBeNull();
      await a.store.setSession(anon, sessionFor()); // tombstoned on its own slot
      expect(await a.store.getSession(anon)).toBeNull();
      expect((await a.store.listSessions('alice')).total).toBe(3);
      expect(await b.store.revokeSession('alice', sids[0])).toBe(true);
      expect(await b.store.revokeOtherSessions('alice', fresh)).toBe(1);
      expect((await a.store.listSessions('alice')).sessions.map((s) => s.id)).toEqual([fresh]);
      await a.store.destroySession(sids[2]);
      expect((await b.store.listSessions('bob')).total).toBe(1);
      const count = await new Promise<number | undefined>((resolve, reject) =>
        a.store.length((err, n) => (err ? reject(err) : resolve(n))),
      );
      expect(count).toBe(6); // alice 1 (fresh), bob 1, carol 2, dave 2
      await new Promise<void>((resolve, reject) => a.store.clear((err) => (err ? reject(err) : resolve())));
      expect(await a.store.getSession(fresh)).toBeNull();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
