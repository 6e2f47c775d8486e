import { LuaScript, type RedisClient } from '@shop/redis';

/**
 * A Lua effect applied exactly once per message id, for effects that live in Redis only: the dedupe
 * marker and the effect are one script, so a redelivered event can never apply it twice. In the body,
 * `KEYS[1]`/`ARGV[1]` are the marker and its TTL; your keys and arguments start at index 2. `run`
 * resolves to true when the effect was applied now, false for a duplicate, and rejects when the effect
 * raised an error (the message then stays pending and is retried or dead-lettered).
 *
 * Order inside the script: check the marker, run the effect, write the marker last. Redis does not roll
 * back the writes a script made before a Lua error, so a marker written first would survive a failing
 * effect and every redelivery would be acked as a "duplicate" of an effect that never happened. Written
 * last, an error leaves no marker. The same rule applies inside your body: make the command that can
 * fail (a type check, the first write) come before any other write, or a retry repeats the earlier ones.
 *
 * @example
 * const addPoints = new IdempotentLuaScript('add-points', "redis.call('ZINCRBY', KEYS[2], ARGV[2], ARGV[3])");
 * await addPoints.run(redis, `shop:done:{lb}:${messageId}`, 86_400, ['shop:lb:{lb}:spend'], [cents, customerId]);
 */
export class IdempotentLuaScript {
  private readonly script: LuaScript<number>;

  constructor(name: string, body: string) {
    // The body runs as a local function so an early `return` in it cannot skip the marker.
    this.script = new LuaScript<number>(
      name,
      `if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local function effect()
${body}
end
effect()
redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])
return 1`,
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
