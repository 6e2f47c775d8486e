import { Test } from '@nestjs/testing';
import { RedisModule } from '@shop/redis';
import { startTestRedis, type TestRedis } from '@shop/testing';
import { RedisSessionStore, SessionsModule, newSid } from '../src';
import { sessionFor } from './helpers';

describe('SessionsModule', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.dispose();
  });

  it('provides a store on the RedisModule connections with the given options', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        RedisModule.forRoot({ url: redis.url, keyPrefix: 'nest' }),
        SessionsModule.forRoot({ idleTtl: '10m', listLimit: 5 }),
      ],
    }).compile();
    await moduleRef.init();
    try {
      const store = moduleRef.get(RedisSessionStore);
      expect(store.options).toMatchObject({ idleTtlMs: 600_000, listLimit: 5 });
      expect(await store.ready(5000)).toBe(true);
      const sid = newSid('nest-user');
      await store.setSession(sid, sessionFor('nest-user'));
      expect(store.keys.session(sid)).toMatch(/^nest:sess:\{/);
      expect((await store.listSessions('nest-user')).total).toBe(1);
    } finally {
      await moduleRef.close();
    }
  });
});
