import { EnvValidationError, validateEnv } from '@shop/platform';
import { NotificationsEnv } from './notifications-env';

describe('NotificationsEnv', () => {
  it('defaults to port 3200 and its own SQLite file', () => {
    const env = validateEnv(NotificationsEnv, { REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(env.PORT).toBe(3200);
    expect(env.DATABASE_URL).toBe('sqlite:./data/notifications.sqlite');
  });

  it('requires REDIS_URL', () => {
    expect(() => validateEnv(NotificationsEnv, {})).toThrow(EnvValidationError);
  });
});
