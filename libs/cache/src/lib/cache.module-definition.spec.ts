import { sharedRedisWarning } from './cache.module-definition';

describe('sharedRedisWarning', () => {
  it('warns when the cache Redis is the data Redis', () => {
    const warning = sharedRedisWarning({ url: 'redis://a:6379', cacheUrl: 'redis://a:6379' });
    expect(warning).toMatch(/REDIS_CACHE_URL/);
    expect(warning).toMatch(/XADD/);
  });

  it('is quiet when the cache has its own Redis', () => {
    expect(sharedRedisWarning({ url: 'redis://a:6379', cacheUrl: 'redis://b:6379' })).toBeUndefined();
  });
});
