import { BaseRpcContext } from '@nestjs/microservices';

/** What a handler can ask about the entry it runs for (`@Ctx() ctx: RedisStreamsContext`). */
export class RedisStreamsContext extends BaseRpcContext<
  [stream: string, entryId: string, deliveries: number, messageId: string]
> {
  getStream(): string {
    return this.args[0];
  }

  /** The stream entry id. */
  getEntryId(): string {
    return this.args[1];
  }

  /** 1 on the first delivery; higher on retries and after a takeover. */
  getDeliveries(): number {
    return this.args[2];
  }

  /** The message id: stable across redeliveries, use it to deduplicate effects. */
  getMessageId(): string {
    return this.args[3];
  }
}
