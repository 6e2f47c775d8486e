import type { FeedReader } from './sse-connection';
import { note, openOnFake } from './sse-connection.test-kit';

/** A feed held in memory, read like the notifications service reads it. */
class FakeFeed implements FeedReader {
  entries: string[] = [];
  calls: string[] = [];
  gate?: Promise<void>;
  async since(after: string) {
    this.calls.push(after);
    await this.gate;
    const at = this.entries.indexOf(after);
    if (at < 0) return { reset: true, items: this.entries.slice(-3).map((id) => note(id)) };
    return { reset: false, items: this.entries.slice(at + 1).map((id) => note(id)) };
  }
  async latestId() {
    return this.entries[this.entries.length - 1];
  }
}

const connect = (feed: FakeFeed) => openOnFake(feed);

describe('SseConnection', () => {
  it('sends retry first, then live entries once each and in order', async () => {
    const feed = new FakeFeed();
    feed.entries = ['1-0'];
    const { res, conn } = connect(feed);
    await conn.resume(undefined);
    expect(res.chunks[0]).toBe('retry: 1000\n\n');
    expect(res.headers['Content-Type']).toContain('text/event-stream');
    conn.push(note('2-0'), '1-0');
    conn.push(note('2-0'), '1-0'); // redelivered
    conn.push(note('3-0'), '2-0');
    expect(res.ids()).toEqual(['2-0', '3-0']);
    expect(feed.calls).toEqual([]);
    conn.end();
  });

  it('an entry published before the one it follows: reads the gap from the feed, no loss, no duplicate', async () => {
    const feed = new FakeFeed();
    feed.entries = ['1-0'];
    const { res, conn } = connect(feed);
    await conn.resume(undefined);
    feed.entries.push('2-0', '3-0');
    conn.push(note('3-0'), '2-0'); // 2-0 not seen yet: a gap
    await new Promise((r) => setImmediate(r));
    conn.push(note('2-0'), '1-0'); // arrives late, already sent by the read
    expect(res.ids()).toEqual(['2-0', '3-0']);
    expect(feed.calls).toEqual(['1-0']);
    conn.end();
  });

  it('resumes after Last-Event-ID: the missed entries, then what was published during the read', async () => {
    const feed = new FakeFeed();
    feed.entries = ['1-0', '2-0', '3-0'];
    let open!: () => void;
    feed.gate = new Promise((r) => (open = r));
    const { res, conn } = connect(feed);
    const resuming = conn.resume('1-0');
    feed.entries.push('4-0');
    conn.push(note('4-0'), '3-0'); // live while the replay is in flight
    conn.push(note('3-0'), '2-0'); // also in the replay
    open();
    await resuming;
    expect(res.ids()).toEqual(['2-0', '3-0', '4-0']);
    conn.end();
  });

  it('an id not in the feed (unknown or trimmed) gets a reset with the latest entries', async () => {
    const feed = new FakeFeed();
    feed.entries = ['5-0', '6-0', '7-0', '8-0'];
    const { res, conn } = connect(feed);
    await conn.resume('2-0');
    expect(res.ids()).toEqual(['reset:6-0,7-0,8-0']);
    expect(res.chunks.join('')).toContain('id: 8-0\nevent: reset\n');
    conn.push(note('9-0'), '8-0');
    expect(res.ids()).toEqual(['reset:6-0,7-0,8-0', '9-0']);
    conn.end();
  });

  it('announces where it starts with ready (the id a reconnect sends), before anything after it', async () => {
    const empty = new FakeFeed();
    const first = connect(empty);
    await first.conn.resume(undefined);
    expect(first.res.readyIds()).toEqual(['0-0']);
    first.conn.end();

    const feed = new FakeFeed();
    feed.entries = ['4-0', '5-0'];
    const fresh = connect(feed);
    fresh.conn.push(note('6-0'), '5-0'); // published while the start was being read
    await fresh.conn.resume(undefined);
    expect(fresh.res.readyIds()).toEqual(['5-0']);
    const order = fresh.res.chunks.filter((c) => c.startsWith('id: '));
    expect(order.map((c) => c.split('\n')[0])).toEqual(['id: 5-0', 'id: 6-0']);
    fresh.conn.end();

    const resumed = connect(feed);
    await resumed.conn.resume('4-0');
    expect(resumed.res.readyIds()).toEqual(['4-0']);
    expect(resumed.res.ids()).toEqual(['5-0']);
    resumed.conn.end();
  });

  it('compares ids as numbers, not strings', async () => {
    const feed = new FakeFeed();
    feed.entries = ['9-0'];
    const { res, conn } = connect(feed);
    await conn.resume(undefined);
    conn.push(note('10-0'), '9-0');
    conn.push(note('10-1'), '10-0');
    expect(res.ids()).toEqual(['10-0', '10-1']);
    conn.end();
  });

  it('ends the stream when the feed cannot be read, and cleans up once on close', async () => {
    const feed = new FakeFeed();
    feed.since = async () => {
      throw new Error('notifications service down');
    };
    const { res, conn, closed } = connect(feed);
    await conn.resume('1-0');
    expect(res.ended).toBe(true);
    expect(conn.isClosed).toBe(true);
    res.emit('close');
    conn.end();
    expect(closed()).toBe(1);
  });
});
