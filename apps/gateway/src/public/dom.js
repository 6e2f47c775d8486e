// Small DOM helpers: element lookup that fails loudly, element building without innerHTML (no markup is
// ever built from data), money and time formatting, and the two live regions (status and errors).

/**
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @returns {T}
 */
export function byId(id) {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the page`);
  return /** @type {T} */ (found);
}

/**
 * `el('td', { className: 'num' }, 'text', child)`: properties are assigned, `data-*`/`aria-*` set as
 * attributes, children appended as text or nodes.
 *
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, unknown>} [props]
 * @param {(Node | string | number | null | undefined)[]} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('data-') || key.startsWith('aria-') || key === 'role' || key === 'for')
      node.setAttribute(key, String(value));
    else Object.assign(node, { [key]: value });
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === 'object' ? child : String(child));
  }
  return node;
}

const money = new Intl.NumberFormat('en', { style: 'currency', currency: 'EUR' });
const time = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

/** @param {number} cents */
export const formatPrice = (cents) => money.format(cents / 100);

/** @param {string} iso */
export function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : time.format(date);
}

/**
 * "12.99" or "12,99" (euros) -> 1299 cents; `undefined` unless it is a plain amount with at most 2 decimals.
 *
 * @param {string} text
 */
export function parsePrice(text) {
  const match = /^\s*(\d{1,7})(?:[.,](\d{1,2}))?\s*$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
}

const KEPT_ANNOUNCEMENTS = 3;

/**
 * A polite announcement in the status region, newest first; the last few stay, so a confirmation is
 * not wiped by a notification that arrives a moment later.
 *
 * @param {string} message
 */
export function announce(message) {
  const region = byId('status');
  region.prepend(el('p', {}, message));
  while (region.children.length > KEPT_ANNOUNCEMENTS) region.lastElementChild?.remove();
}

/** @param {string} message shown and announced at once in the error region */
export function showError(message) {
  byId('alert').textContent = message;
}

export function clearError() {
  byId('alert').textContent = '';
}

/**
 * Marks a button busy while its action runs, so a double click cannot send it twice.
 *
 * @param {HTMLButtonElement} button
 * @param {() => Promise<void>} action
 */
export async function whileBusy(button, action) {
  if (button.disabled) return;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    await action();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}
