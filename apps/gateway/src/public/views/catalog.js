// The catalog with a quantity per product, and the order placed from it (one Idempotency-Key per
// intended order: a retry after a lost answer returns the same order instead of a second one).
import { api, describeError, newIdempotencyKey } from '../api.js';
import { announce, byId, clearError, el, formatPrice, showError, whileBusy } from '../dom.js';
import { currentUser } from '../state.js';

/** @typedef {{ sku: string, name: string, price: number, active: boolean, updatedAt: string }} Product */

/** @type {Product[]} */
let products = [];
/** @type {string | undefined} reused until an order with it succeeded, so a retry is not a second order */
let pendingKey;
/** @type {(order: any) => void} */
let onOrderPlaced = () => undefined;

export const catalogProducts = () => products;

/** Every page of `/api/products` (bounded: 20 pages of 100). */
export async function loadCatalog() {
  try {
    /** @type {Product[]} */
    const all = [];
    let cursor = null;
    for (let page = 0; page < 20; page++) {
      const query = new URLSearchParams({ limit: '100' });
      if (cursor) query.set('cursor', cursor);
      const body = await api(`/api/products?${query}`);
      all.push(...body.items);
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    products = all;
    renderCatalog();
    document.dispatchEvent(new CustomEvent('catalog-loaded'));
  } catch (err) {
    showError(`The catalog could not be loaded: ${describeError(err)}`);
  }
}

function renderCatalog() {
  const rows = products.map((p) =>
    el(
      'tr',
      { 'data-sku': p.sku },
      el('th', { scope: 'row' }, p.name, p.active ? null : el('span', { className: 'tag' }, ' (inactive)')),
      el('td', {}, el('code', {}, p.sku)),
      el('td', { className: 'num', 'data-field': 'price' }, formatPrice(p.price)),
      el(
        'td',
        {},
        el('label', { className: 'visually-hidden', for: `qty-${p.sku}` }, `Quantity of ${p.name}`),
        el('input', {
          id: `qty-${p.sku}`,
          name: p.sku,
          type: 'number',
          min: '0',
          max: '1000',
          step: '1',
          value: '0',
          inputMode: 'numeric',
          className: 'qty',
          disabled: !p.active,
        }),
      ),
    ),
  );
  byId('catalog-rows').replaceChildren(...rows);
  byId('catalog-empty').hidden = products.length > 0;
  updateTotal();
}

/** @returns {{ sku: string, quantity: number }[]} */
function chosenItems() {
  /** @type {NodeListOf<HTMLInputElement>} */
  const inputs = document.querySelectorAll('#catalog-rows input.qty');
  return [...inputs]
    .map((input) => ({ sku: input.name, quantity: Number(input.value) }))
    .filter((item) => Number.isInteger(item.quantity) && item.quantity > 0);
}

function updateTotal() {
  const bySku = new Map(products.map((p) => [p.sku, p.price]));
  const total = chosenItems().reduce((sum, item) => sum + (bySku.get(item.sku) ?? 0) * item.quantity, 0);
  byId('order-total').textContent = `Estimated total: ${formatPrice(total)}`;
}

/** @param {(order: any) => void} placed called with the new order */
export function initCatalog(placed) {
  onOrderPlaced = placed;
  /** @type {HTMLFormElement} */
  const form = byId('order-form');
  form.addEventListener('input', () => {
    pendingKey = undefined;
    updateTotal();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const button = /** @type {HTMLButtonElement} */ (byId('place-order'));
    void whileBusy(button, placeOrder);
  });
  byId('catalog-refresh').addEventListener('click', () => void loadCatalog());
}

async function placeOrder() {
  clearError();
  if (!currentUser()) {
    showError('Log in to place an order.');
    return;
  }
  const items = chosenItems();
  if (items.length === 0) {
    showError('Choose a quantity for at least one product.');
    return;
  }
  pendingKey ??= newIdempotencyKey();
  try {
    const order = await api('/api/orders', {
      method: 'POST',
      body: { items },
      headers: { 'idempotency-key': pendingKey },
    });
    pendingKey = undefined;
    /** @type {HTMLFormElement} */ (byId('order-form')).reset();
    updateTotal();
    announce(`Order ${order.id} placed: ${formatPrice(order.total)}, ${order.status}.`);
    onOrderPlaced(order);
  } catch (err) {
    showError(`The order was not placed: ${describeError(err)}`);
  }
}
