import { Body, Controller, Get, HttpException, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { IsInt, IsString, Min } from 'class-validator';
import { PlatformModule, ServiceEnv } from '../src';

class CreateThingDto {
  @IsString()
  name!: string;

  @IsInt()
  @Min(1)
  quantity!: number;
}

@Controller('things')
class ThingsController {
  @Post()
  create(@Body() dto: CreateThingDto): CreateThingDto {
    return dto;
  }

  @Get('boom')
  boom(): never {
    throw new Error('database password is hunter2');
  }

  @Get('teapot')
  teapot(): never {
    throw new HttpException({ message: 'short and stout', code: 'E_TEAPOT' }, 418);
  }
}

class TestEnv extends ServiceEnv {
  override PORT = 1;
}

@Module({
  imports: [PlatformModule.forRoot({ service: 'test', env: TestEnv, bodyLimit: '1kb' })],
  controllers: [ThingsController],
})
class TestModule {}

describe('PlatformModule in an app (in-process)', () => {
  let app: NestExpressApplication;
  let url: string;

  beforeAll(async () => {
    process.env['REDIS_URL'] = 'redis://127.0.0.1:1';
    process.env['DATABASE_URL'] = 'sqlite::memory:';
    process.env['LOG_LEVEL'] = 'silent';
    app = await NestFactory.create<NestExpressApplication>(TestModule, { logger: false, bodyParser: false });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });

  afterAll(async () => {
    await app.close();
  });

  const post = (body: string) =>
    fetch(`${url}/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('validates DTOs: wrong types and unknown fields are a 400 naming them', async () => {
    const res = await post(JSON.stringify({ name: 5, quantity: 0, admin: true }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { message: string[] };
    expect(body.message).toEqual(
      expect.arrayContaining([
        'property admin should not exist',
        'name must be a string',
        'quantity must not be less than 1',
      ]),
    );
  });

  it('accepts a valid body', async () => {
    const res = await post(JSON.stringify({ name: 'bolt', quantity: 2 }));
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ name: 'bolt', quantity: 2 });
  });

  it('answers malformed and oversized bodies with JSON 400 / 413', async () => {
    const malformed = await post('{"name":');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      code: 'E_BAD_BODY',
      message: expect.stringContaining('malformed JSON body'),
    });
    const huge = await post(JSON.stringify({ name: 'x'.repeat(2048), quantity: 1 }));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({
      code: 'E_BAD_BODY',
      message: 'request body too large: limit is 1kb',
    });
  });

  it('hides the internals of unexpected errors and keeps coded ones', async () => {
    const boom = await fetch(`${url}/things/boom`);
    expect(boom.status).toBe(500);
    const text = await boom.text();
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text)).toMatchObject({
      statusCode: 500,
      message: 'internal error',
      requestId: expect.any(String),
    });
    const teapot = await fetch(`${url}/things/teapot`);
    expect(teapot.status).toBe(418);
    expect(await teapot.json()).toMatchObject({ code: 'E_TEAPOT', message: 'short and stout' });
  });

  it('serves liveness and metrics', async () => {
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('http_request_duration_seconds_bucket');
    expect(metrics).toContain('service="test"');
  });
});
