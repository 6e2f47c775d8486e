import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, type MicroserviceOptions } from '@nestjs/microservices';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { MessagingError, RedisStreamsClient, RedisStreamsServer } from '@shop/messaging';
import { RedisConnections } from '@shop/redis';
import { startTestRedis, type TestRedis } from '@shop/testing';
import { firstValueFrom } from 'rxjs';
import { InjectStreamsClient, MessagingClientsModule, serviceInfrastructure, ServiceEnv } from '../src';

const ORDERS = Symbol('ORDERS');
const NOBODY = 'NOBODY';

@Controller()
class PingHandler {
  @MessagePattern('orders.ping')
  ping(): string {
    return 'pong';
  }
}

@Controller()
class CallerController {
  constructor(
    @InjectStreamsClient(ORDERS) readonly orders: RedisStreamsClient,
    @InjectStreamsClient(NOBODY) readonly nobody: RedisStreamsClient,
  ) {}

  @Get('ping')
  ping(): Promise<string> {
    return firstValueFrom(this.orders.send<string>('orders.ping', {}));
  }
}

class TestEnv extends ServiceEnv {
  override PORT = 1;
}

describe('MessagingClientsModule.registerClients', () => {
  let redis: TestRedis;
  let connections: RedisConnections;
  let server: Awaited<ReturnType<typeof NestFactory.createMicroservice>>;
  let app: NestExpressApplication;

  beforeAll(async () => {
    redis = await startTestRedis();
    // The "orders" service, answering in-process over the same Redis (default key prefix 'shop').
    connections = new RedisConnections({ url: redis.url, keyPrefix: 'shop' });
    @Module({ controllers: [PingHandler] })
    class OrdersModule {}
    server = await NestFactory.createMicroservice<MicroserviceOptions>(OrdersModule, {
      logger: false,
      strategy: new RedisStreamsServer({ connections, service: 'orders', instanceId: 'o1', blockMs: 200 }),
    });
    await server.listen();

    process.env['REDIS_URL'] = redis.url;
    process.env['DATABASE_URL'] = 'sqlite::memory:';
    process.env['LOG_LEVEL'] = 'silent';
    @Module({
      imports: [
        ...serviceInfrastructure({ service: 'gateway', env: TestEnv, migrations: {} }),
        MessagingClientsModule.registerClients([
          { name: ORDERS, service: 'orders', timeout: '3s' },
          { name: NOBODY, service: 'nobody', timeout: '300ms' },
        ]),
      ],
      controllers: [CallerController],
    })
    class GatewayModule {}
    app = await NestFactory.create<NestExpressApplication>(GatewayModule, {
      logger: false,
      bodyParser: false,
    });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await server?.close();
    await connections.close();
    await redis.dispose();
  });

  it('injects a client per registration that calls its service', async () => {
    await expect(app.get(CallerController).ping()).resolves.toBe('pong');
  });

  it("takes the timeout as a duration string: '300ms' gives up after about 300 ms", async () => {
    const started = Date.now();
    const error = await firstValueFrom(app.get(CallerController).nobody.send('nobody.x', {})).catch(
      (e: unknown) => e,
    );
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(MessagingError);
    expect((error as Error).message).toContain('300 ms');
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2_500);
  });

  it('refuses a malformed duration and a duplicate name at registration', () => {
    expect(() =>
      MessagingClientsModule.registerClients([{ name: 'X', service: 'x', timeout: '3 parsecs' as never }]),
    ).toThrow(/invalid duration/);
    expect(() =>
      MessagingClientsModule.registerClients([
        { name: 'X', service: 'x' },
        { name: 'X', service: 'y' },
      ]),
    ).toThrow(/twice/);
  });
});
