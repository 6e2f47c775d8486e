import { LuaScript, type RedisClient } from '@shop/redis';

/**
 * A Lua effect applied at most once per message id, for effects that live in Redis only: the dedupe
 * marker and the effect are one script, so a redelivered event can never apply it twice and a crash can
 * never leave the marker without the effect. In the body, `KEYS[1]`/`ARGV[1]` are the marker and its TTL;
 * your keys and arguments start at index 2. `run` resolves to true when the effect was applied now.
 *
 * @example
 * const addPoints = new IdempotentLuaScript('add-points', "redis.call('ZINCRBY', KEYS[2], ARGV[2], ARGV[3])");
 * await addPoints.run(redis, `shop:done:{lb}:${messageId}`, 86_400, ['shop:lb:{lb}:spend'], [cents, customerId]);
 */
export class IdempotentLuaScript {
  private readonly script: LuaScript<number>;

  constructor(name: string, body: string) {
    this.script = new LuaScript<number>(
      name,
      `if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end\n${body}\nreturn 1`,
    );
  }

  async run(
    client: RedisClient,
    markerKey: string,
    markerTtlSeconds: number,
    keys: string[] = [],
    args: Array<string | number> = [],
  ): Promise<boolean> {
    return (await this.script.run(client, [markerKey, ...keys], [markerTtlSeconds, ...args])) === 1;
  }
}
