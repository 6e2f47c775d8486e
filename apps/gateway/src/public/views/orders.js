// My orders (admins: all orders), newest first, with pay and cancel. Rows are keyed by order id, so a
// notification about an order refreshes just that row.
import { api, describeError } from '../api.js';
import { announce, byId, clearError, el, formatPrice, formatTime, showError, whileBusy } from '../dom.js';
import { currentUser } from '../state.js';

/** @typedef {{ sku: string, name: string, unitPrice: number, quantity: number }} OrderLine */
/** @typedef {{ id: string, customerId: string, items: OrderLine[], total: number, status: string, createdAt: string, updatedAt: string, version: number }} Order */

const PAGE = 20;
/** @type {Map<string, Order>} */
const orders = new Map();
/** @type {string | null} */
let nextCursor = null;

/** @param {Order} order */
const payable = (order) => order.status === 'pending';
/** @param {Order} order */
const cancellable = (order) => order.status === 'pending' || order.status === 'paid';

export async function loadOrders() {
  if (!currentUser()) return;
  try {
    const page = await api(`/api/orders?limit=${PAGE}`);
    orders.clear();
    for (const order of page.items) orders.set(order.id, order);
    nextCursor = page.nextCursor;
    renderOrders();
  } catch (err) {
    showError(`Your orders could not be loaded: ${describeError(err)}`);
  }
}

async function loadMore() {
  if (!nextCursor) return;
  try {
    const page = await api(`/api/orders?limit=${PAGE}&cursor=${encodeURIComponent(nextCursor)}`);
    for (const order of page.items) orders.set(order.id, order);
    nextCursor = page.nextCursor;
    renderOrders();
  } catch (err) {
    showError(describeError(err));
  }
}

/** Adds or replaces one order (a new order, an answer to pay/cancel, a refreshed one). @param {Order} order */
export function upsertOrder(order) {
  orders.set(order.id, order);
  renderOrders();
}

/**
 * Re-reads one order after a notification named it; a deleted (404) order leaves the list. The gateway's
 * cached copy may still predate the event that caused the notification (its invalidation travels
 * separately): then the notification's status is shown and the order read once more a moment later.
 *
 * @param {string} id
 * @param {{ status: string, at: string }} [hint] what the notification said
 * @param {number} [attempt]
 */
export async function refreshOrder(id, hint, attempt = 0) {
  if (!currentUser()) return;
  try {
    const order = await api(`/api/orders/${encodeURIComponent(id)}`);
    const stale = hint && order.status !== hint.status && Date.parse(order.updatedAt) < Date.parse(hint.at);
    upsertOrder(stale ? { ...order, status: hint.status } : order);
    if (stale && attempt < 2) setTimeout(() => void refreshOrder(id, hint, attempt + 1), 1000);
  } catch (err) {
    if (err instanceof Error && 'status' in err && err.status === 404) {
      orders.delete(id);
      renderOrders();
    }
  }
}

export function clearOrders() {
  orders.clear();
  nextCursor = null;
  renderOrders();
}

function renderOrders() {
  const sorted = [...orders.values()].sort((a, b) => (a.id < b.id ? 1 : -1));
  byId('orders-rows').replaceChildren(...sorted.map(orderRow));
  byId('orders-empty').hidden = sorted.length > 0;
  byId('orders-more').hidden = !nextCursor;
}

/** @param {Order} order */
function orderRow(order) {
  const items = order.items.map((line) => `${line.quantity} × ${line.name}`).join(', ');
  const actions = el('div', { className: 'actions' });
  if (payable(order))
    actions.append(
      el('button', { type: 'button', 'data-action': 'pay', 'aria-label': `Pay order ${order.id}` }, 'Pay'),
    );
  if (cancellable(order))
    actions.append(
      el(
        'button',
        {
          type: 'button',
          'data-action': 'cancel',
          className: 'secondary',
          'aria-label': `Cancel order ${order.id}`,
        },
        'Cancel',
      ),
    );
  return el(
    'tr',
    { 'data-order-id': order.id },
    el('th', { scope: 'row' }, el('code', {}, order.id)),
    el('td', {}, formatTime(order.createdAt)),
    el('td', {}, items),
    el('td', { className: 'num' }, formatPrice(order.total)),
    el(
      'td',
      {},
      el('span', { className: `order-status status-${order.status}`, 'data-field': 'status' }, order.status),
    ),
    el('td', {}, actions),
  );
}

/**
 * @param {string} id
 * @param {'pay' | 'cancel'} action
 */
async function act(id, action) {
  clearError();
  try {
    const order =
      action === 'pay'
        ? await api(`/api/orders/${encodeURIComponent(id)}/status`, {
            method: 'PATCH',
            body: { status: 'paid' },
          })
        : await api(`/api/orders/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
    upsertOrder(order);
    announce(`Order ${order.id} is now ${order.status}.`);
    // The row was redrawn: keep keyboard focus in it rather than losing it to the page.
    const row = document.querySelector(`tr[data-order-id="${CSS.escape(order.id)}"]`);
    /** @type {HTMLElement | null} */ (row?.querySelector('button, th') ?? null)?.focus();
  } catch (err) {
    showError(`Order ${id}: ${describeError(err)}`);
  }
}

export function initOrders() {
  byId('orders-rows').addEventListener('click', (event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest('button[data-action]');
    const row = button?.closest('tr[data-order-id]');
    if (!(button instanceof HTMLButtonElement) || !(row instanceof HTMLElement)) return;
    const action = button.dataset['action'] === 'pay' ? 'pay' : 'cancel';
    void whileBusy(button, () => act(String(row.dataset['orderId']), action));
  });
  byId('orders-refresh').addEventListener('click', () => void loadOrders());
  byId('orders-more').addEventListener('click', () => void loadMore());
}
