import type { Notification } from '@shop/contracts';
import type { Response } from 'express';
import { compareStreamIds } from './stream-id';

export interface SseOptions {
  /** `retry:` sent first: how long a browser waits before reconnecting. */
  retryMs: number;
  /** A comment line this often keeps proxies and load balancers from closing an idle stream. */
  heartbeatMs: number;
  /**
   * The most entries one `since` read returns (the reader's limit): a read that returns this many is
   * followed by the next one, so a resume or a gap longer than one read is sent whole, not cut at the
   * limit with the rest waiting for a live entry that may never come. Without it one read is made.
   */
  replayLimit?: number;
  /** Bytes written but not yet taken by the client past which the stream is dropped. @default 1 MiB */
  maxBufferedBytes?: number;
}

const DEFAULT_MAX_BUFFERED = 1024 * 1024;

/** The feed as a connection reads it (through the notifications service's commands). */
export interface FeedReader {
  /** The entries after `after`, oldest first, or `reset` with the latest when `after` is not in the feed. */
  since(after: string): Promise<{ reset: boolean; items: Notification[] }>;
  /** The newest entry's id, undefined for an empty feed. */
  latestId(): Promise<string | undefined>;
}

/** Stands for "before the first entry": what a live entry without `previousId` follows. */
const EMPTY = '0-0';

/**
 * One browser's event stream for one feed. Every event it writes is a feed entry with a higher id than
 * the last one written, so nothing is sent twice; a live entry whose `previousId` is not the last id sent
 * means an entry in between has not arrived (another instance published it later), and the gap is read
 * from the feed instead of skipped. While a read is in flight, live entries wait in a buffer.
 */
export class SseConnection {
  /** The last entry id this browser has (sent, or named by its Last-Event-ID); set by `resume`. */
  private lastId = EMPTY;
  /** Until `resume` has placed the connection in the feed, live entries wait. */
  private reading = true;
  private buffer: Array<{ n: Notification; previousId?: string }> = [];
  /** Set by `resync` while a read is in flight: that read may predate what was lost, so read again. */
  private stale = false;
  private heartbeat?: NodeJS.Timeout;
  private closed = false;

  constructor(
    readonly feed: string,
    private readonly res: Response,
    private readonly feedReader: FeedReader,
    private readonly options: SseOptions,
    private readonly onClose: (c: SseConnection) => void,
  ) {}

  /** Sends the headers and `retry:`; the caller registers the connection before `resume` runs. */
  open(): void {
    this.res.status(200);
    this.res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    // no-transform: a compressing proxy must not buffer the stream; X-Accel-Buffering: nginx's buffering off.
    this.res.setHeader('Cache-Control', 'no-cache, no-transform');
    this.res.setHeader('Connection', 'keep-alive');
    this.res.setHeader('X-Accel-Buffering', 'no');
    this.res.flushHeaders();
    this.res.socket?.setNoDelay(true);
    this.write(`retry: ${this.options.retryMs}\n\n`);
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), this.options.heartbeatMs);
    this.heartbeat.unref();
    this.res.on('close', () => this.close());
  }

  /**
   * Places the connection in the feed (announced by `ready`), then sends what is due: after
   * `lastEventId` (the browser's `Last-Event-ID`) what it missed, then live entries; a first connection
   * starts at the feed's newest entry. An id that is not in the feed (unknown, or trimmed away) gets a
   * `reset` with the latest ones.
   */
  async resume(lastEventId: string | undefined): Promise<void> {
    try {
      this.lastId = lastEventId ?? (await this.feedReader.latestId()) ?? EMPTY;
      if (this.closed) return;
      this.placed();
      this.reading = false;
      if (lastEventId === undefined && !this.stale) this.drain();
      else await this.fill();
    } catch {
      this.end();
    }
  }

  /**
   * `event: ready` with the id the stream starts after: the browser's Last-Event-ID is set from here on,
   * so a reconnect before any notification arrived still resumes exactly (without it, what was added
   * while it reconnected was lost), and a client knows from when it is live.
   */
  private placed(): void {
    this.write(`id: ${this.lastId}\nevent: ready\ndata: {}\n\n`);
  }

  /** A live entry of this feed, from the fan-out stream (any order, possibly twice). */
  push(n: Notification, previousId?: string): void {
    if (this.closed) return;
    this.buffer.push({ n, previousId });
    if (!this.reading) this.drain();
  }

  /**
   * Live entries of this feed may have been lost before this instance read them (the fan-out stream was
   * trimmed past its reader, e.g. while the process was paused): the feed is read after the last id
   * sent. Without it an entry with no later one in the feed reached the browser only on a reconnect.
   */
  resync(): void {
    if (this.closed) return;
    if (this.reading) this.stale = true;
    else void this.fill();
  }

  /** Ends the stream (shutdown, or a per-user limit): the browser reconnects, maybe to another instance. */
  end(): void {
    if (this.closed) return;
    this.res.end();
    this.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Sends the waiting live entries in feed order while each follows the last one sent; true if one does
   * not (an entry in between was published later, or not at all to this instance): the feed is read then.
   */
  private drain(): void {
    const waiting = this.buffer.sort((a, b) => compareStreamIds(a.n.id, b.n.id));
    this.buffer = [];
    for (const { n, previousId } of waiting) {
      if (compareStreamIds(n.id, this.lastId) <= 0) continue; // sent already
      if ((previousId ?? EMPTY) !== this.lastId) {
        // The later entries are in the feed too: the read returns them with the missing one.
        void this.fill();
        return;
      }
      this.send(n);
    }
  }

  /** Reads the feed after the last id sent and sends it, then what arrived live meanwhile. */
  private async fill(): Promise<void> {
    if (this.reading || this.closed) return;
    this.reading = true;
    try {
      for (;;) {
        this.stale = false;
        const { reset, items } = await this.feedReader.since(this.lastId);
        if (this.closed) return;
        if (reset) {
          // The browser replaces its list: the reset carries the latest entries and moves its id.
          const last = items[items.length - 1];
          this.write(`${last ? `id: ${last.id}\n` : ''}event: reset\ndata: ${JSON.stringify({ items })}\n\n`);
          this.lastId = last?.id ?? EMPTY;
          if (this.stale) continue;
          break;
        }
        const before = this.lastId;
        for (const n of items) if (compareStreamIds(n.id, this.lastId) > 0) this.send(n);
        // A full read may have left entries after it; a read that moved nothing ends the loop anyway.
        const limit = this.options.replayLimit;
        const more = limit !== undefined && items.length >= limit && this.lastId !== before;
        if (!more && !this.stale) break;
        // A long replay goes at the client's pace: the next read waits until this one was taken.
        await this.drained();
        if (this.closed) return;
      }
    } catch {
      // The feed could not be read (notifications service or Redis down): end the stream, so the
      // browser reconnects with its Last-Event-ID and nothing is skipped.
      this.end();
      return;
    } finally {
      this.reading = false;
    }
    this.drain();
  }

  private drained(): Promise<void> {
    if (!this.res.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  private send(n: Notification): void {
    this.lastId = n.id;
    this.write(`id: ${n.id}\ndata: ${JSON.stringify(n)}\n\n`);
  }

  private write(chunk: string): void {
    if (this.closed) return;
    this.res.write(chunk);
    // A client that does not read (stalled, paused, hostile) would have every later event held in this
    // process's memory without end once the socket's buffers are full. Past the bound the connection is
    // dropped: a browser that comes back resumes from the feed with its Last-Event-ID, nothing skipped.
    // (A replay is paced by `drained` instead: one read is bounded by the replay limit.)
    if (!this.reading && this.res.writableLength > (this.options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED)) {
      this.res.destroy();
      this.close();
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.buffer = [];
    this.onClose(this);
  }
}
