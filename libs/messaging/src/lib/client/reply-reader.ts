import type { LoggerService } from '@nestjs/common';
import { reconnectDelay, type RedisClient } from '@shop/redis';
import { ENVELOPE_FIELD, type ReplyEnvelope } from '../envelope';
import { entriesOf } from '../streams/stream-entries';

/**
 * Reads one caller's reply stream with `XREAD BLOCK` from the last id seen, so replies that arrive while
 * the connection is down are read after it comes back. Replies for unknown ids (timed out) are ignored.
 */
export class ReplyReader {
  private running = false;
  private loop?: Promise<void>;
  private lastId = '0-0';

  constructor(
    private readonly reader: RedisClient,
    private readonly stream: string,
    private readonly onReply: (reply: ReplyEnvelope) => void,
    private readonly logger: LoggerService,
    private readonly blockMs = 1000,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const reply = await this.reader.xread(
          'COUNT',
          500,
          'BLOCK',
          this.blockMs,
          'STREAMS',
          this.stream,
          this.lastId,
        );
        failures = 0;
        for (const [id, fields] of entriesOf(reply)) {
          this.lastId = id;
          const index = fields?.indexOf(ENVELOPE_FIELD) ?? -1;
          if (!fields || index < 0) continue;
          try {
            this.onReply(JSON.parse(fields[index + 1]) as ReplyEnvelope);
          } catch {
            // A reply we cannot read has no caller to tell; skip it.
          }
        }
      } catch (err) {
        if (!this.running) break;
        failures++;
        this.logger.warn?.({
          msg: 'reply stream read failed, retrying',
          stream: this.stream,
          error: (err as Error).message,
        });
        // The same capped, jittered backoff the Redis connections use.
        await new Promise((r) => setTimeout(r, reconnectDelay(failures, 2000)));
      }
    }
  }
}
