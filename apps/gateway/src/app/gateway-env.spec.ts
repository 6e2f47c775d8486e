import { EnvValidationError, validateEnv } from '@shop/platform';
import { GatewayEnv } from './gateway-env';

describe('GatewayEnv', () => {
  it('defaults to port 3000 and its own SQLite file', () => {
    const env = validateEnv(GatewayEnv, { REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_URL).toBe('sqlite:./data/gateway.sqlite');
  });

  it('requires REDIS_URL', () => {
    expect(() => validateEnv(GatewayEnv, {})).toThrow(EnvValidationError);
  });
});
