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

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
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
        // The same capped, jittered backoff the Redis connections use.
        await new Promise((r) => setTimeout(r, reconnectDelay(failures, 2000)));
      }
    }
  }
}
