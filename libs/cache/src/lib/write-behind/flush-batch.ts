import type { Logger } from '@nestjs/common';
import type { RedisClient, StreamEntry } from '@shop/redis';
import type { Counter } from 'prom-client';
import { deserialize } from '../serializer/serializer';
import { persistIsolated, type KeyFailure } from './persist-isolated';
import type { WriteBehindItem } from './write-behind-options';
import { DEAD_LETTER, SETTLE } from './write-behind-scripts';

/** What a flush needs of its queue. */
export interface FlushContext<T> {
  writer: RedisClient;
  queue: string;
  stream: string;
  latest: string;
  dead: string;
  group: string;
  maxDeliveries: number;
  maxDeadLetters: number;
  persist: (batch: Array<WriteBehindItem<T>>) => Promise<void>;
  deadLetters: Counter;
  log: Logger;
}

/**
 * Processes one batch of stream entries: reads the keys' latest values, persists them (failures isolated
 * per key), settles what went through, and dead-letters keys that keep failing on their own.
 */
export class BatchFlusher<T> {
  constructor(private readonly c: FlushContext<T>) {}

  async flush(entries: StreamEntry[]): Promise<void> {
    const writer = this.c.writer;
    const keyOf = (fields: string[] | null): string =>
      fields ? (fields[fields.indexOf('k') + 1] ?? '') : '';
    const idsByKey = new Map<string, string[]>();
    for (const [id, fields] of entries) {
      const key = keyOf(fields);
      if (key !== '') idsByKey.set(key, [...(idsByKey.get(key) ?? []), id]);
    }
    const keys = [...idsByKey.keys()];
    const raw = keys.length > 0 ? await writer.hmget(this.c.latest, ...keys) : [];
    const batch: Array<WriteBehindItem<T>> = [];
    const failed = new Map<string, KeyFailure>();
    // The serialized value and seq of each key, for a dead letter.
    const seqs = new Map<string, { seq: number; text: string }>();
    keys.forEach((key, i) => {
      const cell = raw[i];
      if (!cell) return; // already persisted (this entry was processed twice, e.g. after a takeover)
      const [seq, text] = JSON.parse(cell) as [number, string];
      seqs.set(key, { seq, text });
      try {
        batch.push({ key, value: deserialize<T>(text), seq });
      } catch (err) {
        // A value this process cannot decode fails alone, whatever the store does.
        failed.set(key, { error: err as Error, attributable: true });
      }
    });
    let succeeded = 0;
    // A slow store must not look like a dead consumer: while this runs, the stream reader keeps the
    // batch's claim fresh, so no other instance takes it over. (A consumer frozen as a whole - GC,
    // SIGSTOP - cannot; then the fencing sequence is what keeps its late write from landing last.)
    if (batch.length > 0) {
      const outcome = await persistIsolated(this.c.persist, batch);
      succeeded = outcome.succeeded;
      for (const [key, failure] of outcome.failed) failed.set(key, failure);
    }
    const persisted = batch.filter((b) => !failed.has(b.key));
    const settled = entries.filter(([, f]) => !failed.has(keyOf(f)));
    await SETTLE.run(
      writer,
      [this.c.stream, this.c.latest],
      [
        this.c.group,
        settled.length,
        ...settled.flatMap(([id, f]) => [id, keyOf(f)]),
        ...persisted.flatMap((b) => [b.key, b.seq]),
      ],
    );
    if (failed.size === 0) return;
    const dead = await this.deadLetterExhausted(failed, idsByKey, seqs);
    this.c.log.warn({
      msg: 'write-behind keys failed; they stay pending and are retried',
      queue: this.c.queue,
      failed: failed.size,
      deadLettered: dead,
      persisted: persisted.length,
      errors: [...failed].slice(0, 5).map(([key, f]) => `${key}: ${f.error.message}`),
    });
    // Nothing went through: most likely the store is down. Back off before the next read.
    if (succeeded === 0 && dead < failed.size) throw new Error(`all ${failed.size} keys of the batch failed`);
  }

  /**
   * Dead-letters every failed key whose failure is its own (see `persistIsolated`) and whose entry was
   * delivered `maxDeliveries` times or more (Redis' delivery count: crashes and takeovers count too).
   * Returns how many were moved.
   */
  private async deadLetterExhausted(
    failed: Map<string, KeyFailure>,
    idsByKey: Map<string, string[]>,
    seqs: Map<string, { seq: number; text: string }>,
  ): Promise<number> {
    const writer = this.c.writer;
    let moved = 0;
    for (const [key, failure] of failed) {
      const ids = idsByKey.get(key) ?? [];
      const cell = seqs.get(key);
      if (!failure.attributable || !cell || ids.length === 0) continue;
      const rows = await Promise.all(
        ids.map(
          (id) =>
            writer.xpending(this.c.stream, this.c.group, id, id, 1) as Promise<
              Array<[string, string, number, number]>
            >,
        ),
      );
      const deliveries = Math.max(0, ...rows.map((r) => Number(r[0]?.[3] ?? 0)));
      if (deliveries < this.c.maxDeliveries) continue;
      const done = await DEAD_LETTER.run(
        writer,
        [this.c.stream, this.c.latest, this.c.dead],
        [
          this.c.group,
          this.c.maxDeadLetters,
          key,
          cell.seq,
          cell.text,
          failure.error.message.slice(0, 1000),
          deliveries,
          ...ids,
        ],
      );
      if (done !== 1) continue;
      moved++;
      this.c.deadLetters.inc({ queue: this.c.queue });
      this.c.log.error({
        msg: 'write-behind key dead-lettered after maxDeliveries',
        queue: this.c.queue,
        key,
        seq: cell.seq,
        deliveries,
        error: failure.error.message,
      });
    }
    return moved;
  }
}
