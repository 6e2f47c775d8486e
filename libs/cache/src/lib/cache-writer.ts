import type { BusMessage } from './bus/invalidation-bus';
import type { EntryOptions } from './cache-types';
import { CacheError } from './errors';
import type { CacheParts, LoadCoordinator } from './load-coordinator';

/**
 * The invalidating write path of `set()`, `delete()` and the tag/namespace bumps. Rules it keeps:
 * - never skipped silently: the write goes past the breaker; a failed SET deletes the key instead; if
 *   L2 cannot be changed at all the local copy is dropped, nothing more is published and the caller
 *   gets `E_L2_UNAVAILABLE`;
 * - the bus message never overtakes the write: on one connection the write and the PUBLISH are issued
 *   back to back with no await between (Redis applies them in order); on a Cluster they travel on
 *   different connections, so the publish waits for the write's reply;
 * - the write voids any load lease on the key, so a load that read the old row cannot store it.
 */
export class CacheWriter {
  constructor(
    private readonly parts: CacheParts,
    private readonly loads: LoadCoordinator,
    /** Must issue its command synchronously on the shared request connection (see `LocalInvalidation.publish`). */
    private readonly publish: (message: Omit<BusMessage, 's' | 'q'>) => Promise<void>,
    private readonly dropLocal: (fullKey: string) => void,
  ) {}

  async set(fullKey: string, value: unknown, options: EntryOptions): Promise<void> {
    const { keys, ledger, versions, entries, l1, l2, metrics, events } = this.parts;
    const tags = keys.tags(options);
    // A read of the old value still in flight here must not put it back over this one.
    ledger.markKey(fullKey);
    // Known versions cost no round trip, so the write is issued without awaiting anything.
    const captured = versions.known(tags) ?? (await versions.current(tags));
    if (!captured) return this.remove(fullKey); // versions unknowable: a tagged entry would be unsafe
    const built = entries.build(value, captured, options);
    if (entries.tooLarge(built.bytes)) {
      metrics.refused.inc({ cache: this.parts.options.name });
      events.emit('refused', fullKey, built.bytes);
      throw entries.refusal(fullKey, built.bytes);
    }
    const writing = l2.setInvalidating(keys.l2(fullKey), keys.lease(fullKey), built.text, built.l2TtlMs);
    const pipelined = l2.isCluster ? undefined : this.publish({ k: [fullKey] });
    const mine = this.loads.fill(fullKey, built.entry, built.text, options, built.bytes);
    if (await writing) return pipelined ?? this.publish({ k: [fullKey] });
    await pipelined;
    if (l1.get(fullKey) === mine) l1.delete(fullKey);
    return this.remove(fullKey);
  }

  /** Drops the key locally, deletes it and its lease in L2 (past the breaker), then tells the others. */
  async remove(fullKey: string): Promise<void> {
    const { keys, l2 } = this.parts;
    this.dropLocal(fullKey);
    const deleting = l2.delInvalidating([keys.l2(fullKey), keys.lease(fullKey)]);
    // Same connection, issued in order: no peer hears of it before the delete is applied.
    const pipelined = l2.isCluster ? undefined : this.publish({ k: [fullKey] });
    if (await deleting) return pipelined ?? this.publish({ k: [fullKey] });
    await pipelined;
    throw new CacheError(
      'E_L2_UNAVAILABLE',
      `L2 could not be changed for "${fullKey}"; peers may serve the old value until its TTL`,
    );
  }

  /** Bumps tag versions in L2, then tells the others; false when Redis could not be reached. */
  async bumpTags(tags: string[]): Promise<boolean> {
    const { ledger, versions } = this.parts;
    ledger.markTags(tags); // loads in flight carrying a tag read the old data: they must not cache
    const bumped = await versions.bump(tags);
    if (!bumped) return false; // Redis down: entries still expire by TTL; the caller learns it did not happen
    await this.publish({ t: bumped });
    return true;
  }
}
