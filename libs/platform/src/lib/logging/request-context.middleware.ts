import { Injectable, type NestMiddleware } from '@nestjs/common';
import { requestContext } from '@shop/messaging';
import type { NextFunction, Request, Response } from 'express';
import { requestId } from './request-id';

/**
 * Opens the request's context (its correlation id) around the rest of the pipeline, so commands sent
 * while handling it carry the id to other services and every log line written meanwhile names it. The
 * id is the one pino-http logs (it keeps a `req.id` that is already set).
 */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  use(req: Request & { id?: unknown }, res: Response, next: NextFunction): void {
    const id = typeof req.id === 'string' ? req.id : requestId(req, res);
    req.id = id;
    requestContext.run({ requestId: id }, next);
  }
}
