import { Logger, NotFoundException, type ArgumentsHost } from '@nestjs/common';
import { DomainError, MessagingError, type MessagingErrorCode } from '@shop/messaging';
import { CodedError } from '@shop/util';
import { AllExceptionsFilter, type ErrorBody } from './all-exceptions.filter';

/** Runs the filter on one exception as an HTTP request would, and returns what it answered. */
function answer(exception: unknown): { status: number; body: ErrorBody } {
  const sent: { status?: number; body?: ErrorBody } = {};
  const res = {
    headersSent: false,
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: ErrorBody) {
      sent.body = body;
      return this;
    },
  };
  const req = { id: 'req-1', path: '/x' };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ArgumentsHost;
  void new AllExceptionsFilter().catch(exception, host);
  return { status: sent.status as number, body: sent.body as ErrorBody };
}

describe('AllExceptionsFilter', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it.each<[MessagingErrorCode, number, string]>([
    ['E_UNAVAILABLE', 503, 'Service Unavailable'],
    ['E_OUTCOME_UNKNOWN', 503, 'Service Unavailable'],
    ['E_CLOSED', 503, 'Service Unavailable'],
    ['E_TIMEOUT', 504, 'Gateway Timeout'],
    ['E_NO_HANDLER', 502, 'Bad Gateway'],
    ['E_REMOTE', 502, 'Bad Gateway'],
  ])('a failed call to another service with %s answers %i', (code, status, error) => {
    expect(answer(new MessagingError(code, `call failed: ${code}`))).toEqual({
      status,
      body: { statusCode: status, error, message: `call failed: ${code}`, code, requestId: 'req-1' },
    });
  });

  it('a remote 4xx keeps its status and remote code; a remote 5xx or none is a 502', () => {
    expect(answer(new MessagingError('E_REMOTE', 'order o-1 not found', 'E_NOT_FOUND', 404)).body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'order o-1 not found',
      code: 'E_NOT_FOUND',
      requestId: 'req-1',
    });
    expect(answer(new MessagingError('E_REMOTE', 'boom', 'E_HTTP_503', 503)).status).toBe(502);
    expect(answer(new MessagingError('E_REMOTE', 'boom', 'E_X', 0)).status).toBe(502);
    // A remote status on another code does not override the code's own status.
    expect(answer(new MessagingError('E_TIMEOUT', 'late', undefined, 404)).status).toBe(504);
  });

  it('a remote internal error is a 502 without the remote message', () => {
    expect(
      answer(new MessagingError('E_REMOTE', 'internal error in the remote handler', 'E_INTERNAL')).body,
    ).toEqual({
      statusCode: 502,
      error: 'Bad Gateway',
      message: 'upstream service failed',
      code: 'E_INTERNAL',
      requestId: 'req-1',
    });
  });

  it('a DomainError keeps its status, code and message', () => {
    expect(answer(new DomainError('E_OUT_OF_STOCK', 'sku b-1 is out of stock', 409))).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        error: 'Conflict',
        message: 'sku b-1 is out of stock',
        code: 'E_OUT_OF_STOCK',
        requestId: 'req-1',
      },
    });
  });

  it('an HttpException keeps its status, message and code', () => {
    expect(answer(new NotFoundException({ message: 'no such route', code: 'E_NO_ROUTE' })).body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'no such route',
      code: 'E_NO_ROUTE',
      requestId: 'req-1',
    });
  });

  it('a coded error that is not a DomainError is a 500 E_INTERNAL without its message, like a driver error', () => {
    class StoreDownError extends CodedError<'E_STORE_DOWN'> {}
    const internal = {
      status: 500,
      body: {
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'internal error',
        code: 'E_INTERNAL',
        requestId: 'req-1',
      },
    };
    expect(answer(new StoreDownError('E_STORE_DOWN', 'store at 10.0.0.5:6379 refused'))).toEqual(internal);
    expect(answer(Object.assign(new Error('duplicate key orders_pkey'), { code: '23505' }))).toEqual(
      internal,
    );
  });
});
