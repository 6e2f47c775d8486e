import { ServiceEnv } from './service-env';
import { EnvValidationError, validateEnv } from './validate-env';

class TestEnv extends ServiceEnv {
  override PORT = 4000;
}

const valid = { REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_URL: 'sqlite:./data/x.sqlite' };

describe('validateEnv', () => {
  it('applies defaults and converts numbers', () => {
    const env = validateEnv(TestEnv, { ...valid, SHUTDOWN_TIMEOUT_MS: '2500' });
    expect(env).toMatchObject({
      PORT: 4000,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      REDIS_KEY_PREFIX: 'shop',
      SHUTDOWN_TIMEOUT_MS: 2500,
    });
  });

  it('lists every bad or missing variable in one error', () => {
    let error: EnvValidationError | undefined;
    try {
      validateEnv(TestEnv, {
        PORT: '-1',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://h/db',
        REDIS_KEY_PREFIX: 'a b',
      });
    } catch (err) {
      error = err as EnvValidationError;
    }
    expect(error).toBeInstanceOf(EnvValidationError);
    const variables = error?.problems.map((p) => p.split(':')[0]).sort();
    expect(variables).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'REDIS_KEY_PREFIX', 'REDIS_URL']);
    expect(error?.problems.find((p) => p.startsWith('REDIS_URL'))).toContain('missing');
    expect(error?.problems.find((p) => p.startsWith('PORT'))).toContain('got -1');
  });

  it('explains a bad Redis URL with the parser reason and hides its password', () => {
    expect(() => validateEnv(TestEnv, { ...valid, REDIS_URL: 'redis://u:hunter2@h:99999' })).toThrow(
      /bad port/,
    );
    expect(() => validateEnv(TestEnv, { ...valid, REDIS_URL: 'redis://u:hunter2@h:99999' })).not.toThrow(
      /hunter2/,
    );
  });

  it.each([
    ['REDIS_URL', 'redis://u:hun/ter2@h:99999'],
    ['REDIS_CACHE_URL', 'redis-sentinel://s1?sentinelPassword=hunter2'],
    ['DATABASE_URL', 'mysql://u:hun/ter2@h/db'],
  ])('hides a password with a slash (or in the query) in %s', (variable, url) => {
    let message = '';
    try {
      validateEnv(TestEnv, { ...valid, [variable]: url });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(variable);
    expect(message).not.toMatch(/hun\/?ter2/);
  });

  it('treats empty strings as unset', () => {
    expect(validateEnv(TestEnv, { ...valid, REDIS_CACHE_URL: '', LOG_LEVEL: '' }).LOG_LEVEL).toBe('info');
  });
});
