import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { HttpCacheInterceptor } from '@shop/cache';
import { ORDER_ID_PATTERN, SKU_PATTERN } from '@shop/contracts';
import { InjectEnv } from '@shop/platform';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import type { GatewayEnv } from '../gateway-env';

/** The path parameters of cached routes and their rules (the DTOs' patterns). */
const PARAM_RULES: Record<string, RegExp> = { sku: SKU_PATTERN, id: ORDER_ID_PATTERN };

/**
 * The cache lib's HTTP response cache, switchable by `HTTP_CACHE=off` (every cacheable GET then reaches
 * the services: the benchmark's baseline, and a way to rule the cache out when diagnosing).
 * A request whose path parameters break their rules skips the cache: interceptors run before pipes,
 * and a malformed id must not cost a Redis read or a key before the pipe refuses it with a 400.
 */
@Injectable()
export class ResponseCacheInterceptor implements NestInterceptor {
  private readonly enabled: boolean;

  constructor(
    private readonly cache: HttpCacheInterceptor,
    @InjectEnv() env: GatewayEnv,
  ) {
    this.enabled = env.HTTP_CACHE === 'on';
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.enabled || !validParams(context.switchToHttp().getRequest<Request>())) return next.handle();
    return this.cache.intercept(context, next);
  }
}

function validParams(req: Request): boolean {
  return Object.entries(req.params ?? {}).every(([name, value]) => {
    const rule = PARAM_RULES[name];
    return rule === undefined || (typeof value === 'string' && rule.test(value));
  });
}
