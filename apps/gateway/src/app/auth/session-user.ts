import type { Role } from '@shop/contracts';
import type { SessionAuth } from '@shop/sessions';
import type { Request } from 'express';

/** The caller of an authenticated request, from its session (never from the client). */
export interface SessionUser {
  id: string;
  username: string;
  role: Role;
}

declare module 'express-session' {
  interface SessionData {
    /** Written by `RedisSessionStore.login()`: the only proof of authentication the store trusts. */
    auth?: SessionAuth;
    /** Who logged in, for the API; only believed together with a matching `auth`. */
    user?: SessionUser;
  }
}

/** What the gateway's middleware adds to a request. */
export interface GatewayRequest extends Request {
  user?: SessionUser;
  /** The session store could not be reached: public routes go on anonymously, the rest answer 503. */
  sessionUnavailable?: boolean;
}
