import type { FeedReader } from './sse-connection';
import { note, openOnFake } from './sse-connection.test-kit';

/** A feed whose `since` returns at most `limit` entries, as the notifications service does. */
class PagedFeed implements FeedReader {
  calls: string[] = [];
  constructor(
    readonly entries: string[],
    readonly limit: number,
  ) {}
  async since(after: string) {
    this.calls.push(after);
    const at = this.entries.indexOf(after);
    if (at < 0) return { reset: true, items: this.entries.slice(-this.limit).map((id) => note(id)) };
    return { reset: false, items: this.entries.slice(at + 1, at + 1 + this.limit).map((id) => note(id)) };
  }
  async latestId() {
    return this.entries[this.entries.length - 1];
  }
}

const connect = (feed: PagedFeed) => openOnFake(feed, { replayLimit: feed.limit });

const ids = (n: number) => Array.from({ length: n }, (_, i) => `${i + 1}-0`);

describe('SseConnection: replays longer than one read', () => {
  it('a resume that missed more than one read gets all of it, in order, without a live entry', async () => {
    const feed = new PagedFeed(ids(12), 5);
    const { res, conn } = connect(feed);
    await conn.resume('1-0');
    expect(res.ids()).toEqual(ids(12).slice(1));
    expect(feed.calls).toEqual(['1-0', '6-0', '11-0']);
    conn.end();
  });

  it('a gap longer than one read is sent whole', async () => {
    const feed = new PagedFeed(ids(3), 5);
    const { res, conn } = connect(feed);
    await conn.resume(undefined); // at 3-0
    feed.entries.push(...ids(20).slice(3));
    // Only the last one arrives live; the 16 before it are in the feed.
    conn.push(note('20-0'), '19-0');
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    await waitUntil(() => res.ids().length === 17);
    expect(res.ids()).toEqual(ids(20).slice(3));
    conn.end();
  });

  it('a read of exactly the limit ends with an empty one', async () => {
    const feed = new PagedFeed(ids(6), 5);
    const { res, conn } = connect(feed);
    await conn.resume('1-0');
    expect(res.ids()).toEqual(ids(6).slice(1));
    expect(feed.calls).toEqual(['1-0', '6-0']);
    conn.end();
  });
});

async function waitUntil(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setImmediate(r));
}
