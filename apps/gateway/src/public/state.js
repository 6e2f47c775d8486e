// Who is signed in, shared by every view: views subscribe and redraw when it changes.

/** @typedef {{ id: string, username: string, role: 'customer' | 'admin' }} User */

/** @type {User | null} */
let current = null;
/** @type {Set<(user: User | null) => void>} */
const listeners = new Set();

export const currentUser = () => current;

/** @param {User | null} user */
export function setUser(user) {
  current = user;
  for (const listener of listeners) listener(user);
}

/** @param {(user: User | null) => void} listener */
export function onUserChange(listener) {
  listeners.add(listener);
}
