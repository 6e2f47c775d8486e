import { EventEmitter } from 'node:events';
import type { RedisClient } from './redis-client.factory';

/** `up`: every connection is ready. `degraded`: an optional one (e.g. the cache role) is not. `down`: a required one is not. */
export type RedisHealthState = 'up' | 'degraded' | 'down';

export interface ConnectionStatus {
  name: string;
  role: RedisRole;
  required: boolean;
  ready: boolean;
  lastError?: string;
}

/** `data`: streams, sessions, rate limits (durable). `cache`: L2 entries (volatile, may be lost). */
export type RedisRole = 'data' | 'cache';

interface Tracked {
  client: RedisClient;
  status: ConnectionStatus;
}

/**
 * Follows the connection events of every client the module creates and folds them into one state other
 * libs and the readiness probe can read without sending a command. Emits `change` with the new state.
 */
export class RedisHealth extends EventEmitter {
  private readonly tracked = new Map<string, Tracked>();
  private current: RedisHealthState = 'down';

  track(name: string, role: RedisRole, client: RedisClient, required: boolean): void {
    const status: ConnectionStatus = { name, role, required, ready: client.status === 'ready' };
    this.tracked.set(name, { client, status });
    const update = (ready: boolean, error?: Error) => {
      status.ready = ready;
      if (error) status.lastError = error.message;
      this.recompute();
    };
    client.on('ready', () => update(true));
    client.on('close', () => update(false));
    client.on('end', () => update(false));
    client.on('error', (err: Error) => update(client.status === 'ready', err));
    this.recompute();
  }

  untrack(name: string): void {
    this.tracked.delete(name);
    this.recompute();
  }

  get state(): RedisHealthState {
    return this.current;
  }

  connections(): ConnectionStatus[] {
    return [...this.tracked.values()].map((t) => ({ ...t.status }));
  }

  private recompute(): void {
    const all = [...this.tracked.values()].map((t) => t.status);
    const next: RedisHealthState = all.some((s) => s.required && !s.ready)
      ? 'down'
      : all.some((s) => !s.ready)
        ? 'degraded'
        : 'up';
    if (next !== this.current) {
      const previous = this.current;
      this.current = next;
      this.emit('change', next, previous);
    }
  }
}
