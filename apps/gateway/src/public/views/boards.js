// The leaderboards: top customers by spend and top products by quantity, per period, and my own rank.
import { api, describeError } from '../api.js';
import { byId, el, formatPrice, showError } from '../dom.js';
import { currentUser } from '../state.js';

const LIMIT = 10;

/**
 * @param {{ rank: number, score: number, username?: string, sku?: string }[]} rows
 * @param {(score: number) => string} format
 */
function boardRows(rows, format) {
  if (rows.length === 0) return [el('tr', {}, el('td', { colSpan: 3 }, 'Nobody yet for this period.'))];
  return rows.map((row) =>
    el(
      'tr',
      {},
      el('td', { className: 'num' }, row.rank),
      el('th', { scope: 'row' }, row.username ?? row.sku ?? ''),
      el('td', { className: 'num' }, format(row.score)),
    ),
  );
}

export async function loadBoards() {
  const period = /** @type {HTMLSelectElement} */ (byId('board-period')).value;
  try {
    const [customers, products] = await Promise.all([
      api(`/api/leaderboards/customers?period=${period}&limit=${LIMIT}`),
      api(`/api/leaderboards/products?period=${period}&limit=${LIMIT}`),
    ]);
    byId('board-customers').replaceChildren(...boardRows(customers.items, formatPrice));
    byId('board-products').replaceChildren(...boardRows(products.items, (n) => `${n}`));
    await loadMyRank(period);
  } catch (err) {
    showError(`The leaderboards could not be loaded: ${describeError(err)}`);
  }
}

/** @param {string} period */
async function loadMyRank(period) {
  const mine = byId('board-me');
  if (!currentUser() || currentUser()?.role === 'admin') {
    mine.textContent = '';
    return;
  }
  const me = await api(`/api/leaderboards/customers/me?period=${period}&around=1`);
  mine.textContent =
    me.rank === null
      ? 'You are not on this board yet: it counts paid orders.'
      : `You are number ${me.rank} with ${formatPrice(me.score)}.`;
}

export function initBoards() {
  byId('board-period').addEventListener('change', () => void loadBoards());
  byId('boards-refresh').addEventListener('click', () => void loadBoards());
}
