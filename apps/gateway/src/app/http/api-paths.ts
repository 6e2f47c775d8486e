import type { Request } from 'express';

/**
 * The public API: guarded, rate limited and session-aware. Health, metrics and docs stay outside.
 * Compared case-insensitively, as Express routes: `/API/admin/instances` reaches the same handler as
 * `/api/admin/instances` and must meet the same guards.
 */
export function isApiRequest(req: Request): boolean {
  const path = req.path.toLowerCase();
  return (path === '/api' || path.startsWith('/api/')) && !path.startsWith('/api/docs');
}
