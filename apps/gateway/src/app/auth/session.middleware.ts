import { Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import { InjectEnv } from '@shop/platform';
import { RedisSessionStore } from '@shop/sessions';
import type { NextFunction, RequestHandler, Response } from 'express';
import session from 'express-session';
import type { GatewayEnv } from '../gateway-env';
import type { GatewayRequest } from './session-user';

/** Cookie names: `__Host-` (Secure, host-only, path /) whenever the request is https. */
export const SESSION_COOKIE = 'sid';
export const SECURE_SESSION_COOKIE = '__Host-sid';

/** `sid` then `=`, blanks between allowed: the `cookie` parser express-session uses trims them off a name. */
const SESSION_COOKIE_NAME = new RegExp(`${SESSION_COOKIE}[ \t]*=`);

/**
 * Whether a Cookie header may carry a session cookie (`sid=`, which `__Host-sid=` ends with too); a false
 * positive (another cookie named `…sid`) only costs the full path.
 */
export function hasSessionCookie(header: string | undefined): boolean {
  return header !== undefined && SESSION_COOKIE_NAME.test(header);
}

const DEV_SECRET = 'development-only-session-secret-do-not-use-in-production';

/**
 * express-session with the sessions lib's store: the cookie is `HttpOnly`, `SameSite=Lax`, and on https
 * (`req.secure`, which honours `TRUST_PROXY`) `Secure` with a `__Host-` name; expiry (idle and absolute)
 * is the store's, enforced by Redis. Nothing is stored for an anonymous visitor (`saveUninitialized:
 * false`), so a request without a cookie costs no Redis call.
 *
 * When the store cannot be reached the request goes on without a session (`sessionUnavailable`): public
 * routes answer anonymously (the catalog keeps serving), the guard answers 503 for the others.
 */
@Injectable()
export class SessionMiddleware implements NestMiddleware {
  private readonly log = new Logger('Sessions');
  private readonly plain: RequestHandler;
  private readonly secure: RequestHandler;

  constructor(store: RedisSessionStore, @InjectEnv() env: GatewayEnv) {
    const secrets = env.SESSION_SECRET?.split(',') ?? [DEV_SECRET];
    if (!env.SESSION_SECRET)
      this.log.warn('SESSION_SECRET is not set: using a development secret (refused in production)');
    const mount = (onStore: RedisSessionStore, name: string, secure: boolean) =>
      session({
        store: onStore,
        genid: onStore.genid,
        secret: secrets,
        resave: false,
        saveUninitialized: false,
        unset: 'destroy',
        name,
        cookie: { httpOnly: true, sameSite: 'lax', secure, path: '/' },
      });
    this.plain = mount(store, SESSION_COOKIE, false);
    // express-session installs its cookie settings on the store it is given (`store.generate`), so the
    // https mount needs a store object of its own: same options, same Redis client, same keys.
    this.secure = mount(new RedisSessionStore(store.options), SECURE_SESSION_COOKIE, true);
  }

  use(req: GatewayRequest, res: Response, next: NextFunction): void {
    // A read without a session cookie is anonymous and cannot start a session (only login writes one,
    // and it is a POST): express-session would still build a Session, draw a random id and wrap
    // res.end for it, about a tenth of a cached catalog read's CPU. Skipped, the request is anonymous
    // exactly as it would have been.
    if ((req.method === 'GET' || req.method === 'HEAD') && !hasSessionCookie(req.headers.cookie))
      return next();
    const handler = req.secure ? this.secure : this.plain;
    handler(req, res, (err?: unknown) => {
      if (err) {
        this.log.warn({ msg: 'session store unavailable', requestId: req.id, err: String(err) });
        req.sessionUnavailable = true;
        return next();
      }
      const data = req.session;
      // Only what login() wrote makes a request authenticated; `user` must name the same account.
      if (data?.auth?.userId && data.user?.id === data.auth.userId) req.user = data.user;
      next();
    });
  }
}
