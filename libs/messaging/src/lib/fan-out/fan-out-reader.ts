import { Logger } from '@nestjs/common';
import { reconnectDelay, type RedisConnections, type RedisClient } from '@shop/redis';
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
}

/**
 * Gives every instance every entry of a stream (no consumer group): each instance `XREAD`s from the last
 * id it saw, so after a reconnect it continues where it stopped and misses nothing still in the stream.
 * Used for live notifications and for cache-invalidation recovery.
 */
export class FanOutReader {
  private running = false;
  private loop?: Promise<void>;
  /** Wakes the loop out of its backoff when `stop()` is called. */
  private wake?: () => void;
  private reader?: RedisClient;
  private lastId: string;
  private readonly log = new Logger('FanOutReader');

  constructor(private readonly o: FanOutOptions) {
    this.lastId = o.fromId ?? '$';
  }

  /** The last entry id handed to `onEntry` (`'$'` before the first). */
  get position(): string {
    return this.lastId;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.reader = this.o.connections.dedicated('data', 'background', 'fan-out');
    if (this.lastId === '$') {
      // Pin '$' to a concrete id now, so entries written during a reconnect are not skipped later.
      const last = (await this.reader.xrevrange(this.o.stream, '+', '-', 'COUNT', 1)) as Array<
        [string, string[]]
      >;
      this.lastId = last.length > 0 ? last[0][0] : '0-0';
    }
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Stops reading and returns within `timeoutMs` whatever Redis does: the reader connection (only ever
   * used for this read) is dropped at once, so an `XREAD` parked on a hung Redis ends; an `onEntry`
   * still running is not awaited past the deadline.
   */
  async stop(timeoutMs = 1000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    this.reader?.disconnect();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    if (this.reader) await this.o.connections.release(this.reader);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
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
        for (const [id, fields] of entriesOf(reply)) {
          if (!this.running) break;
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
      } catch (err) {
        if (!this.running) break;
        failures++;
        this.log.warn({
          msg: 'fan-out read failed, retrying',
          stream: this.o.stream,
          error: (err as Error).message,
        });
        // The same capped, jittered backoff the Redis connections use; stop() cuts it short.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, reconnectDelay(failures, 2000));
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }
}
