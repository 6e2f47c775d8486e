// The admin view: change a product's price (PUT /api/products/:sku) and the per-instance figures of every
// service (GET /api/admin/instances: `[{ service, instance, metrics: {...} }]` or `{ items: [...] }`, the
// figures also accepted as `figures`; rendered as they come, nested objects as dotted columns).
import { api, describeError, ApiError } from '../api.js';
import { announce, byId, clearError, el, formatPrice, parsePrice, showError, whileBusy } from '../dom.js';
import { catalogProducts, loadCatalog } from './catalog.js';

/** @typedef {{ service: string, instance: string, metrics?: Record<string, unknown>, figures?: Record<string, unknown> }} InstanceFigures */

export function renderPriceChoices() {
  /** @type {HTMLSelectElement} */
  const select = byId('price-sku');
  const chosen = select.value;
  select.replaceChildren(
    ...catalogProducts().map((p) =>
      el(
        'option',
        { value: p.sku, selected: p.sku === chosen },
        `${p.name} (${p.sku}), now ${formatPrice(p.price)}`,
      ),
    ),
  );
}

async function savePrice() {
  clearError();
  const sku = /** @type {HTMLSelectElement} */ (byId('price-sku')).value;
  /** @type {HTMLInputElement} */
  const input = byId('price-value');
  const price = parsePrice(input.value);
  if (!sku || price === undefined || price < 1) {
    showError('Enter a price in euros, e.g. 12.99.');
    input.focus();
    return;
  }
  try {
    const product = await api(`/api/products/${encodeURIComponent(sku)}`, { method: 'PUT', body: { price } });
    input.value = '';
    announce(`${product.name} now costs ${formatPrice(product.price)}.`);
    await loadCatalog();
  } catch (err) {
    showError(`The price was not changed: ${describeError(err)}`);
  }
}

/** Nested figures become dotted column names: `{ cache: { hits: 1 } }` -> `cache.hits`. */
function flatten(/** @type {Record<string, unknown>} */ metrics, prefix = '') {
  /** @type {[string, unknown][]} */
  const out = [];
  for (const [key, value] of Object.entries(metrics)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      out.push(...flatten(/** @type {Record<string, unknown>} */ (value), name));
    else out.push([name, value]);
  }
  return out;
}

/** @param {string} column @param {unknown} value */
function figure(column, value) {
  if (typeof value === 'number' && /ratio$/i.test(column)) return `${(value * 100).toFixed(1)} %`;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(3);
  if (value === null || value === undefined) return '–';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export async function loadInstances() {
  const box = byId('instances');
  try {
    const body = await api('/api/admin/instances');
    /** @type {InstanceFigures[]} */
    const rows = Array.isArray(body) ? body : Array.isArray(body?.items) ? body.items : [];
    if (rows.length === 0) {
      box.replaceChildren(el('p', {}, 'No instance reported any figures.'));
      return;
    }
    const flat = rows.map((row) => new Map(flatten(row.metrics ?? row.figures ?? {})));
    const columns = [...new Set(flat.flatMap((m) => [...m.keys()]))];
    box.replaceChildren(
      el(
        'div',
        { className: 'table-scroll', role: 'region', 'aria-label': 'Figures per instance', tabIndex: 0 },
        el(
          'table',
          { id: 'instances-table' },
          el('caption', {}, 'Figures per instance'),
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              el('th', { scope: 'col' }, 'Service'),
              el('th', { scope: 'col' }, 'Instance'),
              ...columns.map((c) => el('th', { scope: 'col' }, c)),
            ),
          ),
          el(
            'tbody',
            {},
            ...rows.map((row, i) =>
              el(
                'tr',
                { 'data-service': row.service, 'data-instance': row.instance },
                el('td', {}, row.service),
                el('th', { scope: 'row' }, row.instance),
                ...columns.map((c) => el('td', { className: 'num' }, figure(c, flat[i].get(c)))),
              ),
            ),
          ),
        ),
      ),
    );
  } catch (err) {
    const text =
      err instanceof ApiError && err.status === 404
        ? 'Per-instance figures are not available on this gateway yet (GET /api/admin/instances answered 404).'
        : `Per-instance figures could not be loaded: ${describeError(err)}`;
    box.replaceChildren(el('p', { className: 'notice' }, text));
  }
}

export function initAdmin() {
  /** @type {HTMLFormElement} */
  const form = byId('price-form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(/** @type {HTMLButtonElement} */ (byId('price-save')), savePrice);
  });
  byId('instances-refresh').addEventListener('click', () => void loadInstances());
  document.addEventListener('catalog-loaded', renderPriceChoices);
}
