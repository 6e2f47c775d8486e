import type { FeedReader } from './sse-connection';
import { note, openOnFake } from './sse-connection.test-kit';

/** A feed in memory; `gate` holds the next `since` until the test opens it. */
class Feed implements FeedReader {
  entries: string[] = [];
  calls: string[] = [];
  gate?: Promise<void>;
  async since(after: string) {
    this.calls.push(after);
    const snapshot = [...this.entries]; // what the read saw when it was sent
    await this.gate;
    const at = snapshot.indexOf(after);
    if (at < 0) return { reset: true, items: snapshot.slice(-3).map((id) => note(id)) };
    return { reset: false, items: snapshot.slice(at + 1).map((id) => note(id)) };
  }
  async latestId() {
    return this.entries[this.entries.length - 1];
  }
}

const connect = (feed: Feed) => openOnFake(feed, { replayLimit: 100 });

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

describe('SseConnection.resync: live entries lost before this instance read them', () => {
  it('reads the feed after the last id sent, so an entry no later one follows is still sent', async () => {
    const feed = new Feed();
    feed.entries = ['1-0'];
    const { res, conn } = connect(feed);
    await conn.resume(undefined);
    feed.entries.push('2-0'); // its live entry was trimmed unread: no push ever comes
    conn.resync();
    await settle();
    expect(res.ids()).toEqual(['2-0']);
    expect(feed.calls).toEqual(['1-0']);
    conn.end();
  });

  it('a resync during a read in flight reads again after it (that read may predate the lost entry)', async () => {
    const feed = new Feed();
    feed.entries = ['1-0', '2-0'];
    const { res, conn } = connect(feed);
    let open!: () => void;
    feed.gate = new Promise<void>((resolve) => (open = resolve));
    const resumed = conn.resume('1-0'); // its read saw 1-0, 2-0
    await settle();
    feed.entries.push('3-0');
    conn.resync();
    feed.gate = undefined;
    open();
    await resumed;
    await settle();
    expect(res.ids()).toEqual(['2-0', '3-0']);
    expect(feed.calls).toEqual(['1-0', '2-0']);
    conn.end();
  });

  it('a resync while the first connection reads its start is honoured once it is placed', async () => {
    const feed = new Feed();
    feed.entries = ['1-0'];
    const { res, conn } = connect(feed);
    let open!: () => void;
    const latest = new Promise<void>((resolve) => (open = resolve));
    const original = feed.latestId.bind(feed);
    feed.latestId = async () => {
      const id = await original();
      await latest;
      return id;
    };
    const resumed = conn.resume(undefined); // starts after 1-0
    feed.entries.push('2-0');
    conn.resync();
    open();
    await resumed;
    await settle();
    expect(res.ids()).toEqual(['2-0']);
    conn.end();
  });

  it('does nothing on a closed stream', async () => {
    const feed = new Feed();
    const { conn } = connect(feed);
    await conn.resume(undefined);
    conn.end();
    conn.resync();
    await settle();
    expect(feed.calls).toEqual([]);
  });
});
