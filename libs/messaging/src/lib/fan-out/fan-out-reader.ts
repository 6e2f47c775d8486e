import { Logger } from '@nestjs/common';
import { reconnectDelay, type RedisConnections, type RedisClient } from '@shop/redis';
import { BackgroundLoop, type LoopRun } from '@shop/util';
import { decodeEnvelope, type Envelope } from '../envelope';
import { entriesOf } from '../streams/stream-entries';

export interface FanOutOptions {
  connections: RedisConnections;
  stream: string;
  /** Called for every entry, in order. An error is logged and reading goes on (fan-out is best effort per instance). */
  onEntry: (entry: { id: string; envelope: Envelope }) => void | Promise<void>;
  /** Where to start: `'$'` (only new entries) or an entry id to resume after. @default '$' */
  fromId?: string;
  /** @default 1000 */
  blockMs?: number;
  /** How long `start()` waits for Redis before it returns and goes on trying in the background. @default 1000 */
  startTimeoutMs?: number;
  /**
   * Called (after the entries of that read) when entries after the last id this reader had were removed
   * from the stream before it read them: the stream is capped with `MAXLEN ~`, and a reader paused or
   * behind longer than the stream holds never sees what was trimmed. Whatever those entries stood for
   * must then be recovered from where it is kept (for live notifications: the feeds). `after` is the
   * last id read before the gap. Given this, each read that returns entries is followed by an `XRANGE`
   * of that id (still there: nothing after it was trimmed). An error is logged and reading goes on.
   */
  onGap?: (gap: { after: string }) => void | Promise<void>;
}

/**
 * Gives every instance every entry of a stream (no consumer group): each instance `XREAD`s from the last
 * id it saw, so after a reconnect it continues where it stopped and misses nothing still in the stream.
 * Used for live notifications and for cache-invalidation recovery.
 */
export class FanOutReader {
  /** The read loop's lifecycle: `running`, a backoff that `stop()` cuts short, a bounded stop. */
  private readonly loop = new BackgroundLoop((run) => this.run(run));
  private reader?: RedisClient;
  private lastId: string;
  /** The '$' pin in flight (start() waits for it a bounded time, the loop until it is done). */
  private pinning?: Promise<void>;
  private readonly log = new Logger('FanOutReader');

  constructor(private readonly o: FanOutOptions) {
    this.lastId = o.fromId ?? '$';
  }

  /** The last entry id handed to `onEntry` (`'$'` before the first). */
  get position(): string {
    return this.lastId;
  }

  /**
   * Starts reading. Never fails for Redis and waits at most `startTimeoutMs`: with Redis down the reader
   * keeps trying in the background (a service must boot and serve what it can), and `'$'` is pinned by
   * the first read that succeeds. With Redis up, entries written after `start()` resolves are read.
   */
  async start(): Promise<void> {
    if (this.loop.running) return;
    this.reader = this.o.connections.dedicated('data', 'background', 'fan-out');
    this.pinning = this.pin();
    this.loop.start();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.pinning.catch(() => undefined),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, this.o.startTimeoutMs ?? 1000))),
    ]);
    clearTimeout(timer);
  }

  /** Pins '$' to a concrete id, so entries written during a later reconnect are not skipped. */
  private async pin(): Promise<void> {
    if (this.lastId !== '$') return;
    const last = (await (this.reader as RedisClient).xrevrange(this.o.stream, '+', '-', 'COUNT', 1)) as Array<
      [string, string[]]
    >;
    this.lastId = last.length > 0 ? last[0][0] : '0-0';
  }

  /**
   * Stops reading and returns within `timeoutMs` whatever Redis does: the reader connection (only ever
   * used for this read) is dropped at once, so an `XREAD` parked on a hung Redis ends; an `onEntry`
   * still running is not awaited past the deadline.
   */
  async stop(timeoutMs = 1000): Promise<void> {
    if (!this.loop.running) return;
    this.loop.halt();
    this.reader?.disconnect();
    await this.loop.stop(timeoutMs);
    if (this.reader) await this.o.connections.release(this.reader);
  }

  /**
   * True when entries after `after` may have been trimmed unread: trimming removes the oldest entries
   * first, so while `after` is still in the stream everything after it is too; once it is gone, what
   * followed it may be gone as well (Redis keeps no count of trimmed ids: `max-deleted-entry-id` moves
   * only on `XDEL`). `'0-0'` (the stream was empty when the reader pinned `'$'`) is no entry to look for.
   */
  private async trimmedAfter(after: string): Promise<boolean> {
    if (after === '0-0') return false;
    const still = (await (this.reader as RedisClient).xrange(this.o.stream, after, after)) as unknown[];
    return still.length === 0;
  }

  private async gap(after: string): Promise<void> {
    this.log.warn({ msg: 'fan-out entries trimmed before they were read', stream: this.o.stream, after });
    try {
      await this.o.onGap?.({ after });
    } catch (err) {
      this.log.warn({
        msg: 'fan-out gap handler failed',
        stream: this.o.stream,
        error: (err as Error).message,
      });
    }
  }

  private async run(self: LoopRun): Promise<void> {
    let failures = 0;
    while (self.running) {
      try {
        if (this.lastId === '$') await (this.pinning ??= this.pin());
        const reply = await (this.reader as RedisClient).xread(
          'COUNT',
          200,
          'BLOCK',
          this.o.blockMs ?? 1000,
          'STREAMS',
          this.o.stream,
          this.lastId,
        );
        failures = 0;
        const before = this.lastId;
        const entries = entriesOf(reply);
        // Asked right after the read (a trim between the two can only make this a needless recovery), but
        // not waited for before the entries are handed on: live delivery does not pay a second round trip.
        // A check that fails counts as a gap: the recovery is a re-read, a missed gap would be a loss.
        const gapCheck =
          entries.length > 0 && this.o.onGap ? this.trimmedAfter(before).catch(() => true) : undefined;
        for (const [id, fields] of entries) {
          if (!self.running) break;
          this.lastId = id;
          if (!fields) continue;
          try {
            await this.o.onEntry({ id, envelope: decodeEnvelope(fields) });
          } catch (err) {
            this.log.warn({
              msg: 'fan-out entry handler failed',
              stream: this.o.stream,
              id,
              error: (err as Error).message,
            });
          }
        }
        if ((await gapCheck) && self.running) await this.gap(before);
      } catch (err) {
        this.pinning = undefined;
        if (!self.running) break;
        failures++;
        this.log.warn({
          msg: 'fan-out read failed, retrying',
          stream: this.o.stream,
          error: (err as Error).message,
        });
        // The same capped, jittered backoff the Redis connections use; stop() cuts it short.
        await this.loop.wait(reconnectDelay(failures, 2000));
      }
    }
  }
}
