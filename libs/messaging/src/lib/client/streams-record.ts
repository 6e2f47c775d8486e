/** Per-message options of `emit()`. */
export interface StreamsRecordOptions {
  /**
   * The event's message id (what consumers deduplicate on, `ctx.getMessageId()`). Pass the id of an
   * `emit()` that failed with `E_OUTCOME_UNKNOWN` when retrying it. @default a new UUID
   */
  messageId?: string;
}

/**
 * Data plus per-message options, in the shape of Nest's record builders (`RmqRecord`, `NatsRecord`).
 *
 * @example
 * client.emit('orders.created', new StreamsRecord(order, { messageId: `order-created:${order.id}` }));
 */
export class StreamsRecord<TData = unknown> {
  constructor(
    readonly data: TData,
    readonly options: StreamsRecordOptions = {},
  ) {}
}
