import type { INestApplication } from '@nestjs/common';
import { HttpFastPath } from '@shop/cache';
import { beginEarlyAnswer, counterOnce } from '@shop/platform';
import type { NextFunction, Request, Response } from 'express';
import { ApiRateLimit } from '../limits/api-rate-limit';
import { isApiRequest } from './api-paths';

/**
 * Answers repeat HITs of shared responses (routes with `fastPath: true`) before Nest routes the request:
 * no pino-http, request-context, guard or interceptor cost for the bulk of catalog reads. What it still
 * does is what the normal path would have: the `api` rate limit (counted once, refused or not: a refusal
 * or an entry gone meanwhile goes on to the guard with the decision taken), `X-Request-Id`, the
 * `RateLimit` headers, the cache's HIT headers and 304s (the cache lib writes them), the duration
 * histogram under the route pattern and the access line. A cookie, a credential header or a URL the
 * interceptor has not answered itself takes the normal path untouched (nothing consumed, nothing set).
 * Installed with `app.use` before `app.init()`, so it runs ahead of every module middleware.
 */
export function responseFastPath(app: INestApplication) {
  const fast = app.get(HttpFastPath);
  const limits = app.get(ApiRateLimit);
  // How much traffic skipped the pipeline (its HITs are also in the cache's L1 hit counter).
  const answered = counterOnce(
    'gateway_fast_path_answers_total',
    'Cache HITs answered before routing, by route pattern',
    ['route'],
  );
  return (req: Request, res: Response, next: NextFunction): void => {
    const route = fast.route(req);
    if (route === undefined || !isApiRequest(req)) return next();
    const answer = beginEarlyAnswer(req, res);
    limits.consume(req).then(
      (decision) => {
        // Inside a promise callback: a throw here would be an unhandled rejection (the process exits).
        try {
          const hit = decision.allowed ? fast.hit(route) : undefined;
          if (hit === undefined) {
            limits.stash(req, decision);
            return next();
          }
          ApiRateLimit.setHeaders(res, [decision]);
          fast.send(req, res, hit);
          answer.done(route.route);
          answered.inc({ route: route.route });
        } catch (err) {
          // Before any byte went out the normal error path answers (500 JSON); after, the socket is cut.
          if (res.headersSent) res.destroy(err instanceof Error ? err : new Error(String(err)));
          else next(err);
        }
      },
      // Nothing consumed that the guard would know of: it takes its own decision (and its own error path).
      () => next(),
    );
  };
}
