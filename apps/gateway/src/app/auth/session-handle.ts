import { createHash } from 'node:crypto';

/**
 * The id a session is listed and revoked by: a digest of the session id, never the id itself — the id is
 * the cookie's secret, and the list is readable by any script running in the page.
 */
export function sessionHandle(sid: string): string {
  return createHash('sha256').update(sid).digest('base64url').slice(0, 22);
}
