import type { INestApplication } from '@nestjs/common';
import { HttpFastPath } from '@shop/cache';
import type { RateLimitDecision } from '@shop/rate-limit';
import type { NextFunction, Request, Response } from 'express';
import { ApiRateLimit } from '../limits/api-rate-limit';
import { responseFastPath } from './response-fast-path';

const allowed: RateLimitDecision = { allowed: true, unavailable: false, retryAfterMs: 0, policies: [] };
const route = { key: 'k', route: '/api/products/:sku', cacheControl: 'no-cache', vary: 'Cookie' };

function setup(send: () => void, headersSent = false) {
  const fast = { route: () => route, hit: () => ({ route, cached: {} }), send };
  const limits = { consume: async () => allowed, stash: jest.fn() };
  const app = {
    get: (token: unknown) => (token === HttpFastPath ? fast : token === ApiRateLimit ? limits : undefined),
  } as unknown as INestApplication;
  const req = { method: 'GET', path: '/api/products/MUG-RED', headers: {} } as unknown as Request;
  const res = {
    headersSent,
    statusCode: 200,
    setHeader: jest.fn(),
    destroy: jest.fn(),
  } as unknown as Response;
  return { middleware: responseFastPath(app), req, res };
}

describe('responseFastPath when writing the answer throws', () => {
  it('hands the error to the normal error path (next(err)) before anything was sent', async () => {
    const { middleware, req, res } = setup(() => {
      throw new Error('encode failed');
    });
    const next = jest.fn() as unknown as NextFunction;
    middleware(req, res, next);
    await new Promise((r) => setImmediate(r));
    expect(next).toHaveBeenCalledWith(expect.objectContaining({ message: 'encode failed' }));
  });

  it('cuts the connection when the headers were already out, and never rejects unhandled', async () => {
    const { middleware, req, res } = setup(() => {
      throw new Error('socket gone');
    }, true);
    const next = jest.fn() as unknown as NextFunction;
    middleware(req, res, next);
    await new Promise((r) => setImmediate(r));
    expect(res.destroy).toHaveBeenCalledWith(expect.objectContaining({ message: 'socket gone' }));
    expect(next).not.toHaveBeenCalled();
  });
});
