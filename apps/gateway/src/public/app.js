// The page's entry point: a hash router over the views (one shown at a time, focus moved to its
// heading), and the wiring between them: who is signed in decides what is shown and loaded, a new
// notification refreshes the order it names.
import { byId } from './dom.js';
import { currentUser, onUserChange } from './state.js';
import { initAccount, loadCurrentUser, renderAccount } from './views/account.js';
import { initAdmin, loadInstances, renderPriceChoices } from './views/admin.js';
import { initBoards, loadBoards } from './views/boards.js';
import { initCatalog, loadCatalog } from './views/catalog.js';
import { initFeed, startFeed, stopFeed } from './views/feed.js';
import { clearOrders, initOrders, loadOrders, refreshOrder, upsertOrder } from './views/orders.js';

/** @type {Record<string, 'anyone' | 'user' | 'admin'>} */
const VIEWS = {
  catalog: 'anyone',
  orders: 'user',
  boards: 'anyone',
  notifications: 'user',
  admin: 'admin',
  account: 'anyone',
};

/** @param {string} name */
function allowed(name) {
  const user = currentUser();
  const needs = VIEWS[name];
  return (
    needs === 'anyone' || (needs === 'user' && user !== null) || (needs === 'admin' && user?.role === 'admin')
  );
}

/** Shows the view the hash names (or the nearest one allowed). @param {boolean} moveFocus */
function route(moveFocus) {
  let name = location.hash.slice(1);
  if (!(name in VIEWS)) name = 'catalog';
  if (!allowed(name)) name = currentUser() ? 'catalog' : 'account';
  for (const section of document.querySelectorAll('main > section[data-view]'))
    /** @type {HTMLElement} */ (section).hidden = section.getAttribute('data-view') !== name;
  for (const link of document.querySelectorAll('nav a[href^="#"]')) {
    if (link.getAttribute('href') === `#${name}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (name === 'boards') void loadBoards();
  if (name === 'admin') void loadInstances();
  if (moveFocus) byId(`${name}-title`).focus();
}

/** @param {import('./state.js').User | null} user */
function userChanged(user) {
  renderAccount(user);
  for (const link of document.querySelectorAll('nav a[data-needs]')) {
    const needs = link.getAttribute('data-needs');
    /** @type {HTMLElement} */ (link.parentElement).hidden =
      needs === 'admin' ? user?.role !== 'admin' : user === null;
  }
  if (user) {
    startFeed();
    void loadOrders();
  } else {
    stopFeed();
    clearOrders();
  }
  // Admins also see inactive products; the price editor lists the catalog.
  void loadCatalog().then(renderPriceChoices);
  route(false);
}

initAccount();
initCatalog((order) => upsertOrder(order));
initOrders();
initBoards();
initAdmin();
initFeed((n) => void refreshOrder(n.orderId, { status: n.status, at: n.at }));
onUserChange(userChanged);
window.addEventListener('hashchange', () => route(true));
route(false);
void loadCurrentUser().then(() => document.body.setAttribute('data-ready', 'true'));
