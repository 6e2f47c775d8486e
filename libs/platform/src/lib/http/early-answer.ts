import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { PinoLogger } from 'nestjs-pino';
import { requestId } from '../logging/request-id';
import { httpRequestDuration } from '../metrics/http-metrics.middleware';

/** A request an app may answer before the Nest pipeline, still identified, timed and logged like others. */
export interface EarlyAnswer {
  /** Its correlation id (already in `X-Request-Id`; kept on `req.id` if the request goes on). */
  readonly id: string;
  /** After the answer is written: observes `http_request_duration_seconds` and writes the access line. */
  done(route: string): void;
}

/**
 * For a middleware that answers some requests before routing (the gateway's pre-routing cache HITs):
 * what the platform's middleware would have done for them — the request id (the caller's when sane),
 * the duration histogram under the route pattern (bounded labels), and pino-http's "request completed"
 * line at info (written only when info is enabled, so a `LOG_LEVEL=warn` service pays nothing). Call it
 * first thing; a request handed on with `next()` keeps the same id (`req.id`, which pino-http and the
 * request context reuse) and is timed and logged by the normal pipeline instead.
 */
export function beginEarlyAnswer(req: IncomingMessage & { id?: unknown }, res: ServerResponse): EarlyAnswer {
  const started = performance.now();
  const id = typeof req.id === 'string' ? req.id : requestId(req, res);
  req.id = id;
  return {
    id,
    done(route: string) {
      const ms = performance.now() - started;
      const status = res.statusCode;
      httpRequestDuration().observe(
        { method: req.method ?? 'GET', route, status: String(status) },
        ms / 1000,
      );
      const log = PinoLogger.root;
      if (log?.isLevelEnabled('info'))
        log.info(
          {
            req: { id, method: req.method, url: req.url },
            res: { statusCode: status },
            responseTime: Math.round(ms),
            context: 'http',
            requestId: id,
          },
          'request completed',
        );
    },
  };
}
