import type { Request } from 'express';

/** The public API: guarded, rate limited and session-aware. Health, metrics and docs stay outside. */
export function isApiRequest(req: Request): boolean {
  const path = req.path;
  return (path === '/api' || path.startsWith('/api/')) && !path.startsWith('/api/docs');
}
