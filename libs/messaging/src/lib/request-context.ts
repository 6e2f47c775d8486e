import { AsyncLocalStorage } from 'node:async_hooks';

/** What travels with a piece of work across services: the correlation id of the request behind it. */
export interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The current request's context, carried by `AsyncLocalStorage` through every await of the work it
 * started: the HTTP middleware opens it, `RedisStreamsClient` copies its id into each command envelope,
 * `RedisStreamsServer` reopens it around the handler on the receiving side, and the services' logger adds
 * `requestId` to every line written inside it. So one id follows a request from the gateway's access log
 * to the orders service's log lines for the commands it caused.
 */
export const requestContext = {
  run<T>(context: RequestContext, work: () => T): T {
    return storage.run(context, work);
  },
  /** The current request id, if any (a sane token only: it came from a client header or a peer). */
  requestId(): string | undefined {
    const id = storage.getStore()?.requestId;
    return id !== undefined && SAFE_ID.test(id) ? id : undefined;
  },
  /** Runs `work` in the context of `requestId` when it is a sane token, else as it is. */
  within<T>(requestId: unknown, work: () => T): T {
    return typeof requestId === 'string' && SAFE_ID.test(requestId)
      ? storage.run({ requestId }, work)
      : work();
  },
};
