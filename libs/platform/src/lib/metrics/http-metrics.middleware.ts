import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Histogram } from 'prom-client';
import { metricOnce } from './metric-once';

/** The `http_request_duration_seconds` histogram (one per registry, whoever asks first creates it). */
export function httpRequestDuration(): Histogram<'method' | 'route' | 'status'> {
  return metricOnce(
    'http_request_duration_seconds',
    () =>
      new Histogram({
        name: 'http_request_duration_seconds',
        help: 'HTTP request duration by method, route pattern and status',
        labelNames: ['method', 'route', 'status'],
        buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      }),
  );
}

/**
 * Times every request. The route label is Express's matched pattern (`/orders/:id`), never the raw URL,
 * so label cardinality stays bounded whatever clients send.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  private readonly histogram = httpRequestDuration();

  use(req: Request, res: Response, next: NextFunction): void {
    const stop = this.histogram.startTimer();
    res.once('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      stop({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  }
}
