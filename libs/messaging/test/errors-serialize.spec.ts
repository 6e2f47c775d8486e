import { BadRequestException, HttpException } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { CodedError, isCodedError } from '@shop/util';
import { DomainError, isDomainError, MessagingError, serializeHandlerError } from '../src';

// Driver errors that carry a string `code` and internals in their message.
const pgUniqueViolation = Object.assign(
  new Error('duplicate key value violates unique constraint "orders_pkey" Key (id)=(o-1) already exists.'),
  { code: '23505', detail: 'Key (id)=(o-1) already exists.', schema: 'public', table: 'orders' },
);
const sqliteConstraint = Object.assign(new Error('UNIQUE constraint failed: orders.id'), {
  code: 'SQLITE_CONSTRAINT_PRIMARYKEY',
});
const connRefused = Object.assign(new Error('connect ECONNREFUSED 10.20.30.40:5432'), {
  code: 'ECONNREFUSED',
  address: '10.20.30.40',
  port: 5432,
});

describe('serializeHandlerError', () => {
  it.each([
    ['pg 23505', pgUniqueViolation],
    ['SQLITE_*', sqliteConstraint],
    ['ECONNREFUSED with an internal address', connRefused],
    ['a plain object with a code', { code: 'E_WHATEVER', message: 'secret internals' }],
  ])('a driver error with a string code (%s) is internal: E_INTERNAL, message not sent', (_, err) => {
    const { reply, internal } = serializeHandlerError(err);
    expect(internal).toBe(true);
    expect(reply).toEqual({
      code: 'E_REMOTE',
      remoteCode: 'E_INTERNAL',
      message: 'internal error in the remote handler',
    });
    expect(JSON.stringify(reply)).not.toMatch(/orders|10\.20\.30\.40|23505|SQLITE|secret/);
  });

  it('a DomainError keeps its code, message and status', () => {
    expect(serializeHandlerError(new DomainError('E_ORDER_NOT_FOUND', 'order o-1 not found', 404))).toEqual({
      reply: {
        code: 'E_REMOTE',
        remoteCode: 'E_ORDER_NOT_FOUND',
        status: 404,
        message: 'order o-1 not found',
      },
      internal: false,
    });
  });

  it('HttpExceptions and coded RpcExceptions stay deliberate', () => {
    expect(serializeHandlerError(new BadRequestException(['a must be an integer'])).reply).toMatchObject({
      remoteCode: 'E_VALIDATION',
      status: 400,
      message: 'a must be an integer',
    });
    expect(
      serializeHandlerError(new HttpException({ message: 'stout', code: 'E_TEAPOT' }, 418)).reply,
    ).toMatchObject({ remoteCode: 'E_TEAPOT', status: 418, message: 'stout' });
    expect(serializeHandlerError(new RpcException({ code: 'E_BUSY', message: 'try later' }))).toEqual({
      reply: { code: 'E_REMOTE', remoteCode: 'E_BUSY', message: 'try later' },
      internal: false,
    });
  });

  it('a coded error of a lib that is not a DomainError is internal too: being coded is not being deliberate', () => {
    class StoreDownError extends CodedError<'E_STORE_DOWN'> {}
    const err = new StoreDownError('E_STORE_DOWN', 'store at 10.20.30.40:6379 refused the write');
    expect(isCodedError(err)).toBe(true);
    expect(isDomainError(err)).toBe(false);
    const { reply, internal } = serializeHandlerError(err);
    expect(internal).toBe(true);
    expect(reply).toMatchObject({ code: 'E_REMOTE', remoteCode: 'E_INTERNAL' });
    expect(JSON.stringify(reply)).not.toMatch(/10\.20\.30\.40|E_STORE_DOWN/);
  });

  it('DomainError and MessagingError are coded errors named after their classes', () => {
    const domain = new DomainError('E_ORDER_NOT_FOUND', 'order o-1 not found', 404);
    const messaging = new MessagingError('E_TIMEOUT', 'no reply', undefined, undefined, 'm-1');
    expect([isCodedError(domain), domain.name, domain.code]).toEqual([
      true,
      'DomainError',
      'E_ORDER_NOT_FOUND',
    ]);
    expect([isCodedError(messaging), messaging.name, messaging.code]).toEqual([
      true,
      'MessagingError',
      'E_TIMEOUT',
    ]);
    expect(messaging.toJSON()).toEqual({
      code: 'E_TIMEOUT',
      message: 'no reply',
      remoteCode: undefined,
      status: undefined,
      messageId: 'm-1',
    });
  });

  it('recognises a DomainError by its brand, and rejects malformed ones', () => {
    const fromAnotherCopy = Object.assign(new Error('x'), {
      [Symbol.for('@shop/messaging/domain-error')]: true,
    });
    expect(isDomainError(fromAnotherCopy)).toBe(true);
    expect(isDomainError(pgUniqueViolation)).toBe(false);
    expect(() => new DomainError('23505', 'x')).toThrow(RangeError);
    expect(() => new DomainError('E_X', 'x', 500)).toThrow(RangeError);
  });
});
