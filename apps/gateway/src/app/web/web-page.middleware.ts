import { Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { findWebRoot, listWebFiles } from './web-root';

/**
 * The page's security policy: its own scripts, styles and API only; no inline code, no framing, no
 * plugins. `connect-src 'self'` covers both `fetch('/api/...')` and the `EventSource` feed.
 */
export const WEB_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the web page (`index.html` at `/`, its scripts and styles by name) with `express.static`. Only
 * GET/HEAD of a file that exists at start is handled; every other request (`/api/*`, `/health/*`,
 * `/metrics`, unknown paths) goes on untouched, without a filesystem lookup. Files are revalidated on
 * every use (`Cache-Control: no-cache` + ETag -> 304): they are small and carry no hash in their names.
 */
@Injectable()
export class WebPageMiddleware implements NestMiddleware {
  private readonly log = new Logger('WebPage');
  private readonly files: ReadonlySet<string>;
  private readonly serve?: RequestHandler;

  constructor() {
    const root = findWebRoot();
    if (!root) {
      this.log.warn('web page files not found (build the gateway): / answers 404');
      this.files = new Set();
      return;
    }
    this.files = listWebFiles(root);
    this.serve = express.static(root, {
      index: ['index.html'],
      cacheControl: false,
      etag: true,
      lastModified: true,
      dotfiles: 'ignore',
      fallthrough: true,
      redirect: false,
      setHeaders: (res, path) => {
        res.setHeader('Cache-Control', 'no-cache');
        res.setHeader('X-Content-Type-Options', 'nosniff');
        if (path.endsWith('.html')) {
          res.setHeader('Content-Security-Policy', WEB_PAGE_CSP);
          res.setHeader('Referrer-Policy', 'same-origin');
          res.setHeader('X-Frame-Options', 'DENY');
        }
      },
    });
  }

  use(req: Request, res: Response, next: NextFunction): void {
    if (!this.serve || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    // Nest mounts middleware under a route pattern, which strips `req.url`: judge the original one.
    const { pathname, search } = new URL(req.originalUrl, 'http://page');
    if (pathname !== '/' && !this.files.has(pathname)) return next();
    const mounted = req.url;
    req.url = `${pathname}${search}`;
    this.serve(req, res, (err?: unknown) => {
      req.url = mounted;
      next(err);
    });
  }
}
