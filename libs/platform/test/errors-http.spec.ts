import { Controller, Get, Inject, Logger, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, type MicroserviceOptions } from '@nestjs/microservices';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  DomainError,
  RedisStreamsClient,
  RedisStreamsServer,
  RpcErrorPassthroughFilter,
} from '@shop/messaging';
import { RedisConnections } from '@shop/redis';
import { startTestRedis, type TestRedis } from '@shop/testing';
import { firstValueFrom } from 'rxjs';
import { PlatformModule, ServiceEnv } from '../src';

// What a database driver throws: a string `code`, internals in the message.
const pgError = () =>
  Object.assign(new Error('duplicate key value violates unique constraint "orders_pkey" on 10.20.30.40'), {
    code: '23505',
  });
const LEAKS = /orders_pkey|10\.20\.30\.40|23505/;

@Controller()
class OrdersHandlers {
  @MessagePattern('errs.pg')
  pg(): never {
    throw pgError();
  }

  @MessagePattern('errs.domain')
  domain(): never {
    throw new DomainError('E_ORDER_ALREADY_PAID', 'order o-1 is already paid', 409);
  }
}

const ORDERS = Symbol('ORDERS');

@Controller()
class GatewayController {
  constructor(@Inject(ORDERS) private readonly orders: RedisStreamsClient) {}

  @Get('call/:pattern')
  call(@Param('pattern') pattern: string): Promise<unknown> {
    return firstValueFrom(this.orders.send(pattern, {}));
  }

  @Get('direct/pg')
  directPg(): never {
    throw pgError();
  }

  @Get('direct/domain')
  directDomain(): never {
    throw new DomainError('E_OUT_OF_STOCK', 'sku b-1 is out of stock', 409);
  }
}

class TestEnv extends ServiceEnv {
  override PORT = 1;
}

describe('errors reaching HTTP clients', () => {
  let redis: TestRedis;
  let connections: RedisConnections;
  let server: Awaited<ReturnType<typeof NestFactory.createMicroservice>>;
  let app: NestExpressApplication;
  let url: string;
  const logged: unknown[][] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    connections = new RedisConnections({ url: redis.url, keyPrefix: 'errs' });
    jest.spyOn(Logger.prototype, 'error').mockImplementation((...args: unknown[]) => {
      logged.push(args);
    });
    @Module({ controllers: [OrdersHandlers] })
    class OrdersModule {}
    server = await NestFactory.createMicroservice<MicroserviceOptions>(OrdersModule, {
      logger: false,
      strategy: new RedisStreamsServer({ connections, service: 'errs', instanceId: 's1', blockMs: 200 }),
    });
    server.useGlobalFilters(new RpcErrorPassthroughFilter());
    await server.listen();

    process.env['REDIS_URL'] = redis.url;
    process.env['DATABASE_URL'] = 'sqlite::memory:';
    process.env['LOG_LEVEL'] = 'silent';
    @Module({
      imports: [PlatformModule.forRoot({ service: 'gw', env: TestEnv })],
      controllers: [GatewayController],
      providers: [
        {
          provide: ORDERS,
          useFactory: () =>
            new RedisStreamsClient({
              connections,
              service: 'gw',
              instanceId: 'g1',
              target: 'errs',
              timeoutMs: 5000,
            }),
        },
      ],
    })
    class GatewayModule {}
    app = await NestFactory.create<NestExpressApplication>(GatewayModule, {
      logger: false,
      bodyParser: false,
    });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    await server?.close();
    await connections.close();
    await redis.dispose();
    jest.restoreAllMocks();
  });

  const get = async (path: string) => {
    const res = await fetch(`${url}${path}`);
    return { status: res.status, text: await res.text() };
  };
  const loggedWithStack = (pattern: RegExp) =>
    logged.some((args) =>
      args.some((a) => {
        const err = (a as { err?: unknown })?.err ?? a;
        return err instanceof Error && pattern.test(err.message) && typeof err.stack === 'string';
      }),
    );

  it('a driver error with a string code in a remote handler: 502 E_INTERNAL, no internals, logged with its stack', async () => {
    logged.length = 0;
    const res = await get('/call/errs.pg');
    expect(res.status).toBe(502);
    expect(res.text).not.toMatch(LEAKS);
    expect(JSON.parse(res.text)).toMatchObject({ code: 'E_INTERNAL', message: 'upstream service failed' });
    expect(loggedWithStack(/orders_pkey/)).toBe(true);
  });

  it('a DomainError in a remote handler keeps its status, code and message', async () => {
    const res = await get('/call/errs.domain');
    expect(res.status).toBe(409);
    expect(JSON.parse(res.text)).toMatchObject({
      code: 'E_ORDER_ALREADY_PAID',
      message: 'order o-1 is already paid',
    });
  });

  it('in an HTTP handler: a DomainError keeps its status, a driver error is a logged 500', async () => {
    const domain = await get('/direct/domain');
    expect(domain.status).toBe(409);
    expect(JSON.parse(domain.text)).toMatchObject({
      statusCode: 409,
      code: 'E_OUT_OF_STOCK',
      message: 'sku b-1 is out of stock',
    });
    logged.length = 0;
    const pg = await get('/direct/pg');
    expect(pg.status).toBe(500);
    expect(pg.text).not.toMatch(LEAKS);
    expect(JSON.parse(pg.text)).toMatchObject({ code: 'E_INTERNAL', message: 'internal error' });
    expect(loggedWithStack(/orders_pkey/)).toBe(true);
  });
});
