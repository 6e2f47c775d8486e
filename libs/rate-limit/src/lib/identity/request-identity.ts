import type { IncomingMessage } from 'node:http';
import { clientIdentity } from './client-identity';
import { clientAddress, compileTrust, type TrustProxy } from './trusted-proxies';

export interface IdentityOptions {
  /** Proxies whose `X-Forwarded-For` entries are believed. @default undefined (none: the socket address) */
  trustProxy?: TrustProxy;
  /** IPv6 clients are grouped by this network prefix. @default 64 */
  ipv6Prefix?: number;
}

/**
 * Builds `req -> identity` once (the trust list is compiled at start-up, so a bad CIDR fails fast).
 * Reads the socket and the header itself instead of Express' `req.ip`, so it is the same under plain
 * Node, Express and Nest whatever `trust proxy` the app set.
 *
 * @example
 * const identify = requestIdentity({ trustProxy: ['10.0.0.0/8'] });
 * await limiter.consume(identify(req), ['api']);
 */
export function requestIdentity(options: IdentityOptions = {}): (req: IncomingMessage) => string {
  const trust = compileTrust(options.trustProxy);
  const prefix = options.ipv6Prefix ?? 64;
  clientIdentity('::1', prefix); // validates the prefix now rather than on the first request
  return (req) =>
    clientIdentity(clientAddress(req.socket?.remoteAddress, req.headers['x-forwarded-for'], trust), prefix);
}
