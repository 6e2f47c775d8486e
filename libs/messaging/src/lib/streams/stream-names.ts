import type { KeyBuilder } from '@shop/redis';

/**
 * Stream names. Each stream carries a hash tag of its owner so that a stream and its dead-letter
 * stream share a Cluster slot.
 * - commands of a service:        `<prefix>:cmd:{<service>}`
 * - events produced by a service: `<prefix>:evt:{<service>}`
 * - dead letters of a stream:     `<prefix>:dlq:{<service>}:<cmd|evt>`
 * - replies of one caller:        `<prefix>:reply:{<service>}:<instance>`
 * - fan-out to every instance:     `<prefix>:fan:{<service>}:<topic>` (read by `FanOutReader`, `MAXLEN ~`)
 */
export const streamNames = {
  commands: (keys: KeyBuilder, service: string) => keys.tagged('cmd', service),
  events: (keys: KeyBuilder, producer: string) => keys.tagged('evt', producer),
  deadLetter: (keys: KeyBuilder, service: string, kind: 'cmd' | 'evt') => keys.tagged('dlq', service, kind),
  replies: (keys: KeyBuilder, service: string, instance: string) => keys.tagged('reply', service, instance),
  fanOut: (keys: KeyBuilder, producer: string, topic: string) => keys.tagged('fan', producer, topic),
};

/** The producing service of an event pattern: `orders.created` -> `orders`. */
export function producerOf(pattern: string): string {
  const dot = pattern.indexOf('.');
  if (dot <= 0)
    throw new Error(`event pattern "${pattern}" must be "<producer>.<event>" (e.g. "orders.created")`);
  return pattern.slice(0, dot);
}
