// Register, log in, log out. A login rotates the session cookie; the page then asks who it is.
import { api, describeError } from '../api.js';
import { announce, byId, clearError, showError, whileBusy } from '../dom.js';
import { currentUser, setUser } from '../state.js';
import { quiesceFeed, startFeed } from './feed.js';

/** Asks the gateway who is signed in (a 401 means nobody). */
export async function loadCurrentUser() {
  try {
    setUser(await api('/api/auth/me'));
  } catch (err) {
    setUser(null);
    if (!(err instanceof Error && 'status' in err && err.status === 401)) showError(describeError(err));
  }
}

/** @param {HTMLFormElement} form */
function credentials(form) {
  const data = new FormData(form);
  return {
    username: String(data.get('username') ?? '').trim(),
    password: String(data.get('password') ?? ''),
  };
}

/** @param {HTMLFormElement} form */
function submitButton(form) {
  return /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'));
}

async function logout() {
  clearError();
  await quiesceFeed();
  try {
    await api('/api/auth/logout', { method: 'POST' });
  } catch (err) {
    showError(describeError(err));
    if (currentUser()) startFeed(); // still signed in: the feed goes on
    return;
  }
  setUser(null);
  announce('You are logged out.');
  location.hash = '#account';
}

export function initAccount() {
  /** @type {HTMLFormElement} */
  const login = byId('login-form');
  /** @type {HTMLFormElement} */
  const register = byId('register-form');

  login.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(submitButton(login), async () => {
      clearError();
      try {
        await api('/api/auth/login', { method: 'POST', body: credentials(login) });
        await loadCurrentUser();
        login.reset();
        announce(`Signed in as ${currentUser()?.username}.`);
        location.hash = '#catalog';
      } catch (err) {
        showError(describeError(err));
        byId('login-password').focus();
      }
    });
  });

  register.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(submitButton(register), async () => {
      clearError();
      const body = credentials(register);
      try {
        const account = await api('/api/auth/register', { method: 'POST', body });
        register.reset();
        /** @type {HTMLInputElement} */ (byId('login-username')).value = account.username;
        announce(`Account ${account.username} created. Log in with its password.`);
        byId('login-password').focus();
      } catch (err) {
        showError(describeError(err));
      }
    });
  });

  for (const id of ['logout', 'account-logout']) byId(id).addEventListener('click', () => void logout());
}

/** @param {import('../state.js').User | null} user */
export function renderAccount(user) {
  byId('signed-out').hidden = user !== null;
  byId('signed-in').hidden = user === null;
  byId('logout').hidden = user === null;
  byId('who').textContent = user ? `Signed in as ${user.username}` : 'Not signed in';
  byId('account-name').textContent = user?.username ?? '';
  byId('account-role').textContent = user?.role ?? '';
}
