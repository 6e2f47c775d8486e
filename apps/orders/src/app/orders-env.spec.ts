import { EnvValidationError, validateEnv } from '@shop/platform';
import { OrdersEnv } from './orders-env';

describe('OrdersEnv', () => {
  it('defaults to port 3100 and its own SQLite file', () => {
    const env = validateEnv(OrdersEnv, { REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(env.PORT).toBe(3100);
    expect(env.DATABASE_URL).toBe('sqlite:./data/orders.sqlite');
  });

  it('requires REDIS_URL', () => {
    expect(() => validateEnv(OrdersEnv, {})).toThrow(EnvValidationError);
  });
});
