// The notification feed: the latest page from `GET /api/notifications`, then live events from
// `EventSource('/api/notifications/stream')` (event id = notification id, `data` = the notification;
// an event named `reset` means "replace the list with the latest"). Entries are kept by id, so a replay
// after a reconnect never shows one twice. The browser's own reconnects send Last-Event-ID; a stream the
// page opens anew names the newest id it has (`?lastEventId=`), so the server replays the gap. The
// stream is opened only after `unread-count` answered: while the service is missing or failing the
// feed says so and tries again later, with no refused EventSource.
import { api, describeError, ApiError } from '../api.js';
import { announce, byId, el, formatTime, showError, whileBusy } from '../dom.js';

/** @typedef {{ id: string, kind: string, orderId: string, customerId: string, status: string, total: number, message: string, at: string, eventId: string, read: boolean }} Notification */

const KEEP = 200;
const SHOWN = 50;
/** @type {Map<string, Notification>} */
const feed = new Map();
/** @type {EventSource | null} */
let source = null;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let retryTimer;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let unreadTimer;
let retryMs = 1000;
/** Counts asked for; an answer is shown only if no later one was asked (answers can cross). */
let unreadAsked = 0;
let running = false;
/** @type {string | undefined} the newest id this page has seen */
let lastSeenId;
/** @type {(n: Notification) => void} */
let onNotification = () => undefined;

/** Stream ids `<ms>-<seq>`, newest first. @param {string} a @param {string} b */
function newestFirst(a, b) {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return bm - am || (bs ?? 0) - (as ?? 0);
}

/** @param {string} text */
function setState(text) {
  byId('feed-state').textContent = text;
}

/** @param {unknown} value @returns {value is Notification} */
const isNotification = (value) =>
  typeof value === 'object' && value !== null && typeof (/** @type {any} */ (value).id) === 'string';

/** @param {unknown} err */
const notBuiltYet = (err) => err instanceof ApiError && err.status === 404;

/** @param {(n: Notification) => void} handler called once per new notification (not for replays) */
export function initFeed(handler) {
  onNotification = handler;
  byId('feed-list').addEventListener('click', (event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest('button[data-read]');
    if (button instanceof HTMLButtonElement)
      void whileBusy(button, () => markRead(String(button.dataset['read'])));
  });
  const all = /** @type {HTMLButtonElement} */ (byId('feed-read-all'));
  all.addEventListener('click', () => void whileBusy(all, markAllRead));
}

/** The feed's requests still in flight: a logout waits for them (see `quiesceFeed`). */
const inFlight = new Set();

/** `api()`, counted in `inFlight` until it settles. @param {string} path @param {Parameters<typeof api>[1]} [options] */
function feedApi(path, options) {
  const request = api(path, options);
  inFlight.add(request);
  void request.finally(() => inFlight.delete(request)).catch(() => undefined);
  return request;
}

/**
 * Before a logout: the stream is closed, nothing new is asked, and what was asked has been answered, so
 * no feed request reaches the server after the session is gone (it would answer 401, an error in the
 * console for nothing).
 */
export async function quiesceFeed() {
  stopFeed();
  await Promise.allSettled([...inFlight]);
}

/** Signed in: load the feed and the unread count, open the live stream. */
export function startFeed() {
  stopFeed();
  running = true;
  retryMs = 1000;
  lastSeenId = undefined;
  void probeThenConnect();
}

/** Signed out: close the stream and forget the feed. */
export function stopFeed() {
  running = false;
  source?.close();
  source = null;
  clearTimeout(retryTimer);
  clearTimeout(unreadTimer);
  unreadAsked++;
  feed.clear();
  render();
  setBadge(0);
  setState('Log in to see your notifications.');
}

/** @param {string} id */
function seen(id) {
  if (lastSeenId === undefined || newestFirst(id, lastSeenId) < 0) lastSeenId = id;
}

function connect() {
  if (!running) return;
  const query = lastSeenId ? `?lastEventId=${encodeURIComponent(lastSeenId)}` : '';
  const es = new EventSource(`/api/notifications/stream${query}`);
  source = es;
  let first = true;
  es.addEventListener('open', () => {
    retryMs = 1000;
    setState('Live: new notifications appear here as they happen.');
    // The first stream of a page replays nothing: the latest page comes from the list, loaded once the
    // stream is open so nothing published in between is missed (duplicates merge by id).
    if (first && lastSeenId === undefined) void loadFeed();
    first = false;
  });
  es.addEventListener('message', (event) => receive(event.data));
  es.addEventListener('reset', (event) => void reset(/** @type {MessageEvent} */ (event).data));
  es.addEventListener('error', () => {
    if (es !== source) return;
    // CONNECTING: the browser reconnects by itself and sends Last-Event-ID; the server replays the gap.
    if (es.readyState === EventSource.CONNECTING) {
      setState('Connection lost; reconnecting…');
      return;
    }
    // CLOSED: the server refused the stream (an error status); find out why before trying again.
    es.close();
    source = null;
    retry('The live feed was interrupted');
  });
}

/** Opens the stream once the feed answers; otherwise says why and tries again later. */
async function probeThenConnect() {
  if (!running) return;
  try {
    const asked = ++unreadAsked;
    const body = await feedApi('/api/notifications/unread-count');
    if (asked === unreadAsked) setBadge(Number(body?.unread ?? 0));
    connect();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      setState('Your session ended: log in again to see notifications.');
      running = false;
    } else if (notBuiltYet(err)) {
      retryMs = Math.max(retryMs, 15_000);
      retry('Live notifications are not available on this server yet (it answered 404)');
    } else retry(`The live feed is unavailable (${describeError(err)})`);
  }
}

/** @param {string} why */
function retry(why) {
  if (!running) return;
  const seconds = Math.round(retryMs / 1000);
  setState(`${why}. Trying again in ${seconds} s.`);
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => void probeThenConnect(), retryMs);
  retryMs = Math.min(retryMs * 2, 60_000);
}

/** @param {string} data */
function receive(data) {
  let parsed;
  try {
    parsed = JSON.parse(data);
  } catch {
    return;
  }
  if (!isNotification(parsed)) return;
  const known = feed.has(parsed.id);
  feed.set(parsed.id, parsed);
  seen(parsed.id);
  trim();
  render();
  if (known) return;
  scheduleUnread();
  // The list is a live region itself, but only while its view is shown.
  if (!parsed.read && byId('feed-list').closest('section')?.hidden) announce(parsed.message);
  onNotification(parsed);
}

/** `reset`: the server could not replay from our last id; its data may carry the latest entries. @param {string} data */
async function reset(data) {
  let items;
  try {
    const parsed = data ? JSON.parse(data) : undefined;
    items = Array.isArray(parsed) ? parsed : Array.isArray(parsed?.items) ? parsed.items : undefined;
  } catch {
    items = undefined;
  }
  if (items) replace(items.filter(isNotification));
  else await loadFeed(true);
  scheduleUnread();
}

/** @param {Notification[]} items */
function replace(items) {
  feed.clear();
  for (const n of items) {
    feed.set(n.id, n);
    seen(n.id);
  }
  trim();
  render();
}

/** The latest page; merged into what live events already brought unless `replaceAll`. */
async function loadFeed(replaceAll = false) {
  if (!running) return; // a stream's open or reset can still fire after a logout
  try {
    const page = await feedApi(`/api/notifications?limit=${SHOWN}`);
    const items = (Array.isArray(page?.items) ? page.items : []).filter(isNotification);
    if (replaceAll) replace(items);
    else {
      for (const n of items) {
        feed.set(n.id, n);
        seen(n.id);
      }
      trim();
      render();
    }
  } catch (err) {
    if (notBuiltYet(err)) setState('Notifications are not available on this server yet (it answered 404).');
    else if (!(err instanceof ApiError && err.status === 401))
      setState(`Notifications could not be loaded: ${describeError(err)}`);
  }
}

async function loadUnread() {
  const asked = ++unreadAsked;
  try {
    const body = await feedApi('/api/notifications/unread-count');
    if (asked === unreadAsked) setBadge(Number(body?.unread ?? 0));
  } catch {
    // Keep the last count shown: the feed's state line says what is wrong.
  }
}

/** A count the server replied with to a read mark: newer than any count asked before. @param {unknown} body */
function repliedCount(body) {
  const unread = /** @type {{ unread?: unknown } | undefined} */ (body)?.unread;
  if (typeof unread !== 'number') return false;
  unreadAsked++;
  setBadge(unread);
  return true;
}

/** A burst of events costs one count request. */
function scheduleUnread() {
  clearTimeout(unreadTimer);
  unreadTimer = setTimeout(() => void loadUnread(), 250);
}

/** @param {number} count */
function setBadge(count) {
  const badge = byId('unread-badge');
  badge.hidden = !(count > 0);
  byId('unread-count').textContent = String(count);
}

/** @param {string} id */
async function markRead(id) {
  try {
    const body = await feedApi(`/api/notifications/${encodeURIComponent(id)}/read`, { method: 'POST' });
    const n = feed.get(id);
    if (n) feed.set(id, { ...n, read: true });
    render();
    if (!repliedCount(body)) await loadUnread();
  } catch (err) {
    showError(`Could not mark it read: ${describeError(err)}`);
  }
}

async function markAllRead() {
  try {
    const body = await feedApi('/api/notifications/read-all', { method: 'POST' });
    for (const [id, n] of feed) feed.set(id, { ...n, read: true });
    render();
    if (!repliedCount(body)) await loadUnread();
    announce('All notifications marked read.');
  } catch (err) {
    showError(`Could not mark them read: ${describeError(err)}`);
  }
}

function trim() {
  if (feed.size <= KEEP) return;
  const keep = [...feed.keys()].sort(newestFirst).slice(0, KEEP);
  const kept = new Set(keep);
  for (const id of feed.keys()) if (!kept.has(id)) feed.delete(id);
}

function render() {
  const items = [...feed.values()].sort((a, b) => newestFirst(a.id, b.id)).slice(0, SHOWN);
  byId('feed-list').replaceChildren(
    ...items.map((n) =>
      el(
        'li',
        { className: n.read ? 'read' : 'unread', 'data-notification-id': n.id, 'data-order-id': n.orderId },
        el(
          'p',
          { className: 'feed-message' },
          n.read ? null : el('span', { className: 'visually-hidden' }, 'Unread: '),
          n.message,
        ),
        el(
          'p',
          { className: 'feed-meta' },
          el('time', { dateTime: n.at }, formatTime(n.at)),
          ` · ${n.status}`,
        ),
        n.read
          ? null
          : el(
              'button',
              {
                type: 'button',
                className: 'secondary',
                'data-read': n.id,
                'aria-label': `Mark read: ${n.message}`,
              },
              'Mark read',
            ),
      ),
    ),
  );
  byId('feed-empty').hidden = items.length > 0;
}
