import {
  ForbiddenException,
  Injectable,
  UnsupportedMediaTypeException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { InjectEnv } from '@shop/platform';
import type { Request } from 'express';
import type { GatewayEnv } from '../gateway-env';
import { isApiRequest } from './api-paths';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF without tokens (OWASP: Fetch Metadata + Origin verification + a JSON-only API), for every unsafe
 * `/api` request — login and register included (login CSRF):
 * - `Sec-Fetch-Site: cross-site` (a modern browser says so for a request another site started) -> 403;
 * - an `Origin` header that is neither this gateway's own origin nor in `ALLOWED_ORIGINS` -> 403
 *   (`Origin: null`, from sandboxed frames and some redirects, is refused too);
 * - a body that is not `application/json` (or `+json`) -> 415: HTML forms can only send urlencoded,
 *   multipart or text/plain, so another site's form cannot post here at all, and JSON cross-origin
 *   needs a CORS preflight this gateway never grants.
 * Non-browser clients (curl, services) send neither header and pass.
 */
@Injectable()
export class RequestShapeGuard implements CanActivate {
  private readonly allowed: ReadonlySet<string>;

  constructor(@InjectEnv() env: GatewayEnv) {
    this.allowed = new Set(
      env.ALLOWED_ORIGINS.split(',')
        .map((o) => o.trim())
        .filter(Boolean)
        .map((o) => new URL(o).origin),
    );
  }

  canActivate(context: ExecutionContext): boolean {
    // Global guards also wrap the Streams transport's event handlers (inheritAppConfig): HTTP only.
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (SAFE_METHODS.has(req.method) || !isApiRequest(req)) return true;
    if (req.get('sec-fetch-site') === 'cross-site')
      throw new ForbiddenException({ message: 'cross-site request refused', code: 'E_CSRF' });
    const origin = req.get('origin');
    if (origin !== undefined && !this.allowed.has(origin) && origin !== ownOrigin(req))
      throw new ForbiddenException({
        message: `origin ${JSON.stringify(origin)} is not allowed`,
        code: 'E_CSRF',
      });
    if (hasBody(req) && !req.is(['application/json', '+json']))
      throw new UnsupportedMediaTypeException({
        message: 'request bodies must be application/json',
        code: 'E_UNSUPPORTED_MEDIA_TYPE',
      });
    return true;
  }
}

/** The origin the client addressed: scheme (trusted proxies' `X-Forwarded-Proto`) and `Host`. */
function ownOrigin(req: Request): string | undefined {
  const host = req.get('host');
  return host ? `${req.protocol}://${host}` : undefined;
}

function hasBody(req: Request): boolean {
  const length = req.get('content-length');
  return req.get('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
}
