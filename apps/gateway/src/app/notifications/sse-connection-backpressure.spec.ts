import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Response } from 'express';
import { SseConnection, type FeedReader } from './sse-connection';
import { note } from './sse-connection.test-kit';

/** Large entries fill the socket quickly. */
const LARGE = 'x'.repeat(4000);

/**
 * A client that opens a stream and never reads (a stalled or hostile browser): what the connection
 * writes piles up in the gateway's memory once the kernel's socket buffers are full. Real sockets.
 */
describe('SseConnection: a client that does not read', () => {
  let server: Server;
  /** What `since` serves: `pages` full reads of 500 entries after 1-0. */
  let pages = 0;
  let client: Socket | undefined;
  const opened: Array<{ conn: SseConnection; res: ServerResponse }> = [];

  beforeEach(async () => {
    server = createServer((_req, res) => {
      const express = Object.assign(res, { status: () => res }) as unknown as Response;
      const feed: FeedReader = {
        since: async (after) => {
          const from = Number(after.split('-')[0]);
          if (from >= 1 + pages * 500) return { reset: false, items: [] };
          return {
            reset: false,
            items: Array.from({ length: 500 }, (_, i) => note(`${from + 1 + i}-0`, 'x'.repeat(400))),
          };
        },
        latestId: async () => '1-0',
      };
      const conn = new SseConnection(
        'u_1',
        express,
        feed,
        { retryMs: 1000, heartbeatMs: 60_000, replayLimit: 500 },
        () => undefined,
      );
      conn.open();
      opened.push({ conn, res });
      void conn.resume(pages > 0 ? '1-0' : undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    pages = 0;
    for (const { conn } of opened) conn.end();
    opened.length = 0;
    client?.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('is ended once what waits for it passes a bound, not buffered without end', async () => {
    const { port } = server.address() as AddressInfo;
    client = connect(port, '127.0.0.1');
    client.on('error', () => undefined);
    await new Promise<void>((resolve) => client?.once('connect', () => resolve()));
    client.write('GET / HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n');
    client.pause(); // never reads
    for (let i = 0; i < 200 && opened.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    const [{ conn, res }] = opened;
    await new Promise((r) => setImmediate(r));
    // 40 MB of live entries: far more than loopback socket buffers hold.
    let maxBuffered = 0;
    for (let i = 2; i < 10_000 && !conn.isClosed; i++) {
      conn.push(note(`${i}-0`, LARGE), `${i - 1}-0`);
      maxBuffered = Math.max(maxBuffered, res.writableLength);
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(conn.isClosed).toBe(true);
    expect(maxBuffered).toBeLessThanOrEqual(2 * 1024 * 1024);
  });

  it('a client that reads keeps its stream however much it gets', async () => {
    const { port } = server.address() as AddressInfo;
    client = connect(port, '127.0.0.1');
    let received = 0;
    client.on('data', (chunk: Buffer) => (received += chunk.length));
    await new Promise<void>((resolve) => client?.once('connect', () => resolve()));
    client.write('GET / HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n');
    for (let i = 0; i < 200 && opened.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    const [{ conn, res }] = opened;
    await new Promise((r) => setImmediate(r));
    for (let i = 2; i < 3_000; i++) {
      conn.push(note(`${i}-0`, LARGE), `${i - 1}-0`);
      // A reader that keeps up: wait whenever the socket asks for it.
      if (res.writableNeedDrain) await new Promise((r) => res.once('drain', r));
    }
    expect(conn.isClosed).toBe(false);
    for (let i = 0; i < 400 && received < 3_000 * 4000; i++) await new Promise((r) => setTimeout(r, 5));
    expect(received).toBeGreaterThan(3_000 * 4000);
  });

  it('a long replay waits for a slow client instead of dropping it (7 MB read in pieces, at most about a page held)', async () => {
    pages = 20; // 10,000 entries of about 700 bytes: pages of about 350 kB
    const { port } = server.address() as AddressInfo;
    client = connect(port, '127.0.0.1');
    let received = 0;
    let maxBuffered = 0;
    client.on('data', (chunk: Buffer) => {
      received += chunk.length;
      maxBuffered = Math.max(maxBuffered, opened[0]?.res.writableLength ?? 0);
      client?.pause(); // a slow link: a piece now and then
      setTimeout(() => client?.resume(), 1);
    });
    await new Promise<void>((resolve) => client?.once('connect', () => resolve()));
    client.write('GET / HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n');
    const lastId = `id: ${1 + 20 * 500}-0\n`;
    let tail = '';
    client.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-2000)));
    for (let i = 0; i < 1000 && !tail.includes(lastId) && !opened[0]?.conn.isClosed; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(opened[0].conn.isClosed).toBe(false);
    expect(tail).toContain(lastId);
    expect(received).toBeGreaterThan(10_000 * 600);
    expect(maxBuffered).toBeLessThan(1024 * 1024);
  }, 20_000);
});
