import type { Cache, LoadOptions } from './cache';

/** A class whose methods use the cache decorators: it exposes its `Cache` as `cache` (inject it there). */
export interface HasCache {
  cache: Cache;
}

type AsyncMethod<A extends unknown[], R> = (this: HasCache, ...args: A) => Promise<R>;

/** Derives a key (or tags) from the method's leading arguments, e.g. `(id: string) => \`order:${id}\``. */
type FromArgs<T> = (...args: never[]) => T;
const call = <T>(fn: FromArgs<T> | undefined, args: unknown[]): T | undefined =>
  (fn as ((...a: unknown[]) => T) | undefined)?.(...args);

/**
 * A method decorator from a wrapper: `around(original)` returns the replacement method. The three
 * decorators below differ only in that wrapper.
 */
function aroundMethod(around: <A extends unknown[], R>(original: AsyncMethod<A, R>) => AsyncMethod<A, R>) {
  return <A extends unknown[], R>(
    _target: HasCache,
    _name: string | symbol,
    descriptor: TypedPropertyDescriptor<AsyncMethod<A, R>>,
  ) => {
    const original = descriptor.value;
    if (!original) throw new Error('cache decorators apply to methods');
    descriptor.value = around(original);
    return descriptor;
  };
}

/**
 * Read-through as a decorator: the method's result is cached under `key(...args)`; calls with the
 * same key return the cached value (single flight, lease, grace as in `getOrSet`).
 *
 * @example
 * @Cacheable({ key: (id: string) => `order:${id}`, ttl: '5m', tags: (id) => [`order-${id}`] })
 * async findOrder(id: string): Promise<Order> { ... }
 */
export function Cacheable(
  options: Omit<LoadOptions, 'tags'> & { key: FromArgs<string>; tags?: FromArgs<string[]> },
) {
  return aroundMethod(
    (original) =>
      async function (this, ...args) {
        return this.cache.getOrSet(call(options.key, args) as string, () => original.apply(this, args), {
          ...options,
          tags: call(options.tags, args),
        });
      },
  );
}

/**
 * Write-through as a decorator: after the method (the store write) succeeds, its result is written to
 * the cache under `key(...args)` on every instance.
 */
export function CachePut(
  options: Omit<LoadOptions, 'tags'> & { key: FromArgs<string>; tags?: FromArgs<string[]> },
) {
  return aroundMethod(
    (original) =>
      async function (this, ...args) {
        const result = await original.apply(this, args);
        await this.cache.set(call(options.key, args) as string, result, {
          ...options,
          tags: call(options.tags, args),
        });
        return result;
      },
  );
}

/**
 * Event-based invalidation as a decorator: after the method succeeds, the listed keys are deleted and
 * the listed tags invalidated, on every instance.
 *
 * @example
 * @CacheEvict({ keys: (id: string) => [`order:${id}`], tags: () => ['order-lists'] })
 * async cancelOrder(id: string): Promise<void> { ... }
 */
export function CacheEvict(options: { keys?: FromArgs<string[]>; tags?: FromArgs<string[]> }) {
  return aroundMethod(
    (original) =>
      async function (this, ...args) {
        const result = await original.apply(this, args);
        await Promise.all((call(options.keys, args) ?? []).map((k) => this.cache.delete(k)));
        const tags = call(options.tags, args) ?? [];
        if (tags.length > 0) await this.cache.invalidateTags(tags);
        return result;
      },
  );
}
