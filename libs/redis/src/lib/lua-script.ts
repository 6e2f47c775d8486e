import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-client.factory';

/**
 * A Lua script run by SHA. Redis forgets loaded scripts when it restarts or fails over (and on
 * `SCRIPT FLUSH`); on `NOSCRIPT` the script is sent again with `EVAL`, which also caches it, so callers
 * never see the error. On a Cluster `EVALSHA` is routed by the first key, so all keys must share a slot.
 *
 * @example
 * const incrIfBelow = new LuaScript('incr-if-below', `...`);
 * const value = await incrIfBelow.run(redis, ['shop:counter:x'], [10]);
 */
export class LuaScript<TResult = unknown> {
  readonly sha: string;

  constructor(
    readonly name: string,
    readonly source: string,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(
    client: RedisClient,
    keys: readonly string[],
    args: ReadonlyArray<string | number | Buffer> = [],
  ): Promise<TResult> {
    try {
      return (await client.evalsha(this.sha, keys.length, ...keys, ...args)) as TResult;
    } catch (err) {
      if (!isNoScript(err)) throw err;
      return (await client.eval(this.source, keys.length, ...keys, ...args)) as TResult;
    }
  }
}

function isNoScript(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOSCRIPT');
}
