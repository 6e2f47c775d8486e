import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvValidationError, validateEnv } from '@shop/platform';
import { feedSettingsOf, NotificationsEnv } from './notifications-env';

const REDIS_URL = 'redis://127.0.0.1:6379';

describe('NotificationsEnv', () => {
  it('defaults to port 3200, its own SQLite file and the documented feed settings', () => {
    const env = validateEnv(NotificationsEnv, { REDIS_URL });
    expect(env.PORT).toBe(3200);
    expect(env.DATABASE_URL).toBe('sqlite:./data/notifications.sqlite');
    expect(feedSettingsOf(env)).toEqual({
      feedLength: 200,
      liveLength: 10_000,
      feedTtlMs: 30 * 86_400_000,
      dedupeTtlMs: 7 * 86_400_000,
    });
  });

  it('reads the feed settings from the environment (durations with a unit or in milliseconds)', () => {
    const env = validateEnv(NotificationsEnv, {
      REDIS_URL,
      NOTIFICATIONS_FEED_LENGTH: '5',
      NOTIFICATIONS_LIVE_LENGTH: '500',
      NOTIFICATIONS_FEED_TTL: '2h',
      NOTIFICATIONS_DEDUPE_TTL: '90000',
    });
    expect(feedSettingsOf(env)).toEqual({
      feedLength: 5,
      liveLength: 500,
      feedTtlMs: 7_200_000,
      dedupeTtlMs: 90_000,
    });
  });

  it('refuses bad feed settings, naming each variable', () => {
    let error: EnvValidationError | undefined;
    try {
      validateEnv(NotificationsEnv, {
        REDIS_URL,
        NOTIFICATIONS_FEED_LENGTH: '0',
        NOTIFICATIONS_LIVE_LENGTH: 'many',
        NOTIFICATIONS_FEED_TTL: '0s',
        NOTIFICATIONS_DEDUPE_TTL: '7 days',
      });
    } catch (err) {
      error = err as EnvValidationError;
    }
    expect(error).toBeInstanceOf(EnvValidationError);
    const named = (error as EnvValidationError).problems.map((p) => p.split(':')[0]).sort();
    expect(named).toEqual([
      'NOTIFICATIONS_DEDUPE_TTL',
      'NOTIFICATIONS_FEED_LENGTH',
      'NOTIFICATIONS_FEED_TTL',
      'NOTIFICATIONS_LIVE_LENGTH',
    ]);
  });

  it('requires REDIS_URL', () => {
    expect(() => validateEnv(NotificationsEnv, {})).toThrow(EnvValidationError);
  });

  it("is documented in the service README with the code's defaults", () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const documented = Object.fromEntries(
      [...readme.matchAll(/^\| `(NOTIFICATIONS_[A-Z_]+)` +\| `([^`]*)` +\|/gm)].map((m) => [m[1], m[2]]),
    );
    const env = new NotificationsEnv();
    const inCode = Object.fromEntries(
      Object.entries(env)
        .filter(([name]) => name.startsWith('NOTIFICATIONS_'))
        .map(([name, value]) => [name, String(value)]),
    );
    expect(Object.keys(inCode)).toHaveLength(4);
    expect(documented).toEqual(inCode);
  });
});
