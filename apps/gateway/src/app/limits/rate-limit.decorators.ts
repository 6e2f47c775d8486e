import { SetMetadata } from '@nestjs/common';

export const LOGIN_LIMITED = Symbol('LOGIN_LIMITED');

export interface LoginLimitOptions {
  /** Also count attempts per username named in the body (`login-user`). @default true */
  perUsername?: boolean;
}

/**
 * Login-like routes: also limited per client IP by `login-ip` and (login) per username by `login-user` —
 * both exact logs that refuse (503) while Redis is down. Register counts per IP only: creating a name
 * must not use up that name's login attempts.
 */
export const LoginLimited = (options: LoginLimitOptions = {}): MethodDecorator =>
  SetMetadata(LOGIN_LIMITED, { perUsername: options.perUsername ?? true });
