import { KeyBuilder, type RedisConnections } from '@shop/redis';
import type { RedisSessionStore } from '@shop/sessions';
import type { GatewayEnv } from '../gateway-env';
import { LiveHub } from './live-hub';
import type { FeedReader } from './sse-connection';
import { openOnFake } from './sse-connection.test-kit';

const feed: FeedReader = {
  since: async () => ({ reset: false, items: [] }),
  latestId: async () => undefined,
};

/** A hub whose session lookups the test answers (no Redis: the fan-out reader is never started). */
function hubWith(aliveSessions: (sids: string[]) => Promise<Set<string>>) {
  const connections = { keys: new KeyBuilder('shop') } as unknown as RedisConnections;
  const env = { SSE_MAX_PER_USER: 5, SSE_SESSION_CHECK_MS: 60_000 } as GatewayEnv;
  const sessions = { aliveSessions: (sids: Iterable<string>) => aliveSessions([...sids]) };
  return new LiveHub(connections, env, sessions as unknown as RedisSessionStore);
}

describe('LiveHub: streams end with their session', () => {
  it('ends the streams of sessions that are gone, and only those the lookup was asked about', async () => {
    let answer: (alive: Set<string>) => void = () => undefined;
    const asked: string[][] = [];
    const hub = hubWith((sids) => {
      asked.push(sids);
      return new Promise((resolve) => (answer = resolve));
    });
    const loggedOut = openOnFake(feed);
    const kept = openOnFake(feed);
    hub.add('u_1', 'sid-gone', loggedOut.conn);
    hub.add('u_1', 'sid-kept', kept.conn);

    const check = hub.endStreamsOfEndedSessions();
    // A login during the lookup: its new session was not asked about, so it must not count as gone.
    const fresh = openOnFake(feed);
    hub.add('u_1', 'sid-fresh', fresh.conn);
    answer(new Set(['sid-kept']));

    expect(await check).toBe(1);
    expect(asked).toEqual([['sid-gone', 'sid-kept']]);
    expect(loggedOut.res.ended).toBe(true);
    expect(kept.res.ended).toBe(false);
    expect(fresh.res.ended).toBe(false);
    expect(loggedOut.closed()).toBe(1); // what unregisters it (the controller's remove)
  });

  it('keeps every stream when the sessions cannot be looked up (Redis down), and asks nothing with none open', async () => {
    let calls = 0;
    const hub = hubWith(async () => {
      calls++;
      throw new Error('Command timed out');
    });
    expect(await hub.endStreamsOfEndedSessions()).toBe(0);
    expect(calls).toBe(0);
    const open = openOnFake(feed);
    hub.add('u_1', 'sid-1', open.conn);
    expect(await hub.endStreamsOfEndedSessions()).toBe(0);
    expect(calls).toBe(1);
    expect(open.res.ended).toBe(false);
  });
});
