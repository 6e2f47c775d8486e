import {
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { isDomainError, MessagingError, type MessagingErrorCode } from '@shop/messaging';
import { statusMap } from '@shop/util';
import type { Request, Response } from 'express';
import { throwError, type Observable } from 'rxjs';

/** The JSON body of every error response. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  /** Set by domain exceptions: a stable code clients can branch on (e.g. `E_ORDER_NOT_FOUND`). */
  code?: string;
  requestId?: string;
}

/**
 * Every error leaves as JSON with the request's correlation id. Only deliberate errors keep their
 * message: HttpExceptions, `DomainError`s (their 4xx status and code) and the messaging errors of a call
 * to another service. Anything else — a driver error with a string `code` (pg `23505`, `SQLITE_*`,
 * `ECONNREFUSED` with an internal address) included — is a 500 `E_INTERNAL` whose message stays in the
 * log, with the stack.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    // Message handlers: hand the original error to the transport, which serializes it for the caller.
    if (host.getType() !== 'http') return throwError(() => exception);
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request & { id?: string }>();
    const res = ctx.getResponse<Response>();
    const body = this.toBody(exception);
    body.requestId = req.id;
    if (body.statusCode >= 500) {
      this.logger.error({ msg: 'request failed', requestId: req.id, path: req.path, err: exception });
    }
    if (res.headersSent) return;
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof MessagingError) return messagingErrorBody(exception);
    if (isDomainError(exception)) {
      return {
        statusCode: exception.status,
        error: httpReason(exception.status),
        message: exception.message,
        code: exception.code,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const fields =
        typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {};
      return {
        statusCode: status,
        error: typeof fields['error'] === 'string' ? fields['error'] : httpReason(status),
        message: (fields['message'] as string | string[] | undefined) ?? exception.message,
        ...(typeof fields['code'] === 'string' ? { code: fields['code'] } : {}),
      };
    }
    return { statusCode: 500, error: 'Internal Server Error', message: 'internal error', code: 'E_INTERNAL' };
  }
}

/**
 * The status of a failed call to another service: Redis down or hung (the command was refused, or its
 * write timed out with the outcome unknown) or the client closed -> 503, no reply in time -> 504; no
 * handler, a remote failure and any code this table does not know -> 502, the other service's fault.
 */
const messagingStatusOf = statusMap<MessagingErrorCode>(
  {
    E_UNAVAILABLE: 503,
    E_OUTCOME_UNKNOWN: 503,
    E_CLOSED: 503,
    E_TIMEOUT: 504,
    E_NO_HANDLER: 502,
    E_REMOTE: 502,
  },
  502,
);

/**
 * A failed call to another service: the status of its code (`messagingStatusOf`), except for a remote
 * validation or domain error, which keeps its own status (400, 404, 409...) and code.
 */
function messagingErrorBody(error: MessagingError): ErrorBody {
  const status =
    error.code === 'E_REMOTE' && error.status && error.status < 500
      ? error.status
      : messagingStatusOf(error.code);
  const message =
    status === 502 && error.remoteCode === 'E_INTERNAL' ? 'upstream service failed' : error.message;
  return { statusCode: status, error: httpReason(status), message, code: error.remoteCode ?? error.code };
}

function httpReason(status: number): string {
  const name = HttpStatus[status];
  return name
    ? name
        .toLowerCase()
        .split('_')
        .map((w) => w[0].toUpperCase() + w.slice(1))
        .join(' ')
    : 'Error';
}
