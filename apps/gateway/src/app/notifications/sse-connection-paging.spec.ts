import type { Notification } from '@shop/contracts';
import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import { SseConnection, type FeedReader } from './sse-connection';

class FakeResponse extends EventEmitter {
  chunks: string[] = [];
  status() {
    return this;
  }
  setHeader() {
    // not recorded
  }
  flushHeaders() {
    // not recorded
  }
  write(chunk: string) {
    this.chunks.push(chunk);
    return true;
  }
  end() {
    this.emit('close');
  }
  ids(): string[] {
    return this.chunks.flatMap((c) => /^id: (\S+)\ndata: /.exec(c)?.[1] ?? []);
  }
}

const note = (id: string): Notification => ({
  id,
  kind: 'order.paid',
  orderId: 'ord_x',
  customerId: 'u_1',
  status: 'paid',
  total: 100,
  message: 'paid',
  at: new Date(0).toISOString(),
  eventId: `e-${id}`,
  read: false,
});

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
    if (at < 0) return { reset: true, items: this.entries.slice(-this.limit).map(note) };
    return { reset: false, items: this.entries.slice(at + 1, at + 1 + this.limit).map(note) };
  }
  async latestId() {
    return this.entries[this.entries.length - 1];
  }
}

function connect(feed: PagedFeed) {
  const res = new FakeResponse();
  const conn = new SseConnection(
    'u_1',
    res as unknown as Response,
    feed,
    { retryMs: 1000, heartbeatMs: 60_000, replayLimit: feed.limit },
    () => undefined,
  );
  conn.open();
  return { res, conn };
}

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
