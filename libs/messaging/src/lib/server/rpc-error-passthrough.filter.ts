import { Catch, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's default RPC filter turns every error that is not an `RpcException` into "Internal server error",
 * which would hide validation messages and domain error codes from the caller. This filter hands the
 * original error to the transport, which serializes it safely (`serializeHandlerError`): HttpExceptions,
 * `DomainError`s and coded `RpcException`s keep their details; anything else (a driver error with a
 * string `code` included) is logged with its stack and becomes `E_INTERNAL` without its message.
 *
 * @example app.useGlobalFilters(new RpcErrorPassthroughFilter())   // or { provide: APP_FILTER, useClass: ... }
 */
@Catch()
export class RpcErrorPassthroughFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
