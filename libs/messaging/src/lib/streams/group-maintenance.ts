import type { LoggerService } from '@nestjs/common';
import { LuaScript, type RedisClient } from '@shop/redis';
import type { StreamRetention } from './stream-entries';
import { trimByGroups } from './trim-by-groups';

/**
 * Deletes a consumer from a group only if it has no pending entry at that moment: checked and done in
 * one script, so entries delivered to it in between are never dropped with it (`DELCONSUMER` discards
 * a consumer's pending entries).
 */
const DELETE_CONSUMER_IF_IDLE = new LuaScript<number>(
  'messaging-delete-consumer-if-idle',
  `
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2])
if #pending > 0 then return 0 end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
return 1
`,
);

export interface GroupMaintenanceOptions {
  client: RedisClient;
  stream: string;
  group: string;
  /** This consumer: never deleted by itself. */
  consumer: string;
  /** Retention of the stream, applied by the groups' positions. */
  retention: StreamRetention;
  /** Consumers idle longer than this with nothing pending are removed from the group. */
  idleConsumerMs: number;
  logger: LoggerService;
}

/**
 * The housekeeping of one stream and group, run periodically by its consumer: trims the stream by every
 * group's position (`trimByGroups`) and removes consumer names left by instances that are gone (each
 * deploy adds new pod names; `XINFO CONSUMERS` would otherwise grow forever).
 */
export async function maintainGroup(o: GroupMaintenanceOptions): Promise<void> {
  await trimByGroups(o.client, o.stream, o.retention);
  const consumers = (await o.client.xinfo('CONSUMERS', o.stream, o.group)) as Array<Array<string | number>>;
  for (const flat of consumers) {
    const row: Record<string, string | number> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) row[String(flat[i])] = flat[i + 1];
    const name = String(row['name']);
    if (name === o.consumer || Number(row['pending']) > 0 || Number(row['idle']) < o.idleConsumerMs) continue;
    if ((await DELETE_CONSUMER_IF_IDLE.run(o.client, [o.stream], [o.group, name])) === 1) {
      o.logger.log?.({ msg: 'removed idle consumer', stream: o.stream, group: o.group, consumer: name });
    }
  }
}
