import { CodedError } from '@shop/util';

/**
 * A session bound to a user was saved under an id that does not carry the user's hash tag: the id was
 * not regenerated at login (session fixation), or the middleware does not use `genid: store.genid`.
 */
export class SessionIdMismatchError extends CodedError<'E_SESSION_NOT_REGENERATED'> {
  constructor() {
    super(
      'E_SESSION_NOT_REGENERATED',
      'session id was not issued for this user: log in with store.login(req, userId) and set genid: store.genid',
    );
  }
}
