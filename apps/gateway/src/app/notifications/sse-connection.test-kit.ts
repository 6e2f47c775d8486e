import type { Notification } from '@shop/contracts';
import type { Response } from 'express';
import { EventEmitter } from 'node:events';
import { SseConnection, type FeedReader, type SseOptions } from './sse-connection';

// What the SseConnection specs share: a Response that records what is written, a notification of a
// given entry id, and a connection opened on both. Not part of the app build (tsconfig.app excludes it).

/** Just enough of an express Response to collect what a connection writes. */
export class FakeResponse extends EventEmitter {
  chunks: string[] = [];
  ended = false;
  headers: Record<string, string> = {};
  status() {
    return this;
  }
  setHeader(k: string, v: string) {
    this.headers[k] = v;
  }
  flushHeaders() {
    // headers are only recorded here
  }
  write(chunk: string) {
    this.chunks.push(chunk);
    return true;
  }
  end() {
    this.ended = true;
    this.emit('close');
  }
  /** The ids `ready` events announced. */
  readyIds(): string[] {
    return this.chunks.filter((c) => c.includes('event: ready')).map((c) => /^id: (\S+)/.exec(c)?.[1] ?? '');
  }
  /** The `id`s of the notification events written, in order (`reset` events as `reset:<ids>`). */
  ids(): string[] {
    return this.chunks.flatMap((c) => {
      if (c.includes('event: ready')) return [];
      if (c.includes('event: reset')) {
        const data = JSON.parse(c.slice(c.indexOf('data: ') + 6)) as { items: Notification[] };
        return [`reset:${data.items.map((n) => n.id).join(',')}`];
      }
      const m = /^id: (\S+)\ndata: /.exec(c);
      return m ? [m[1]] : [];
    });
  }
}

/** A notification stored as feed entry `id`; `message` sets its size. */
export const note = (id: string, message = 'paid'): Notification => ({
  id,
  kind: 'order.paid',
  orderId: 'ord_x',
  customerId: 'u_1',
  status: 'paid',
  total: 100,
  message,
  at: new Date(0).toISOString(),
  eventId: `e-${id}`,
  read: false,
});

/** A connection of feed `u_1` on a FakeResponse, opened (headers and `retry:` written). */
export function openOnFake(feed: FeedReader, options: Partial<SseOptions> = {}) {
  const res = new FakeResponse();
  let closed = 0;
  const conn = new SseConnection(
    'u_1',
    res as unknown as Response,
    feed,
    { retryMs: 1000, heartbeatMs: 60_000, ...options },
    () => {
      closed++;
    },
  );
  conn.open();
  return { res, conn, closed: () => closed };
}
