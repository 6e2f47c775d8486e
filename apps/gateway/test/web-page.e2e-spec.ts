/// <reference lib="dom" />
// The in-page callbacks (page.evaluate) run in the browser: DOM types for them.
import type { Browser, Page } from 'playwright-core';
import { ADMIN, startGatewayStack, username, type GatewayStack } from './gateway-harness';
import { launchChromium, openPage, openVisitor, type ExpectedFailure, type Visitor } from './web-browser';

/** Before logging in the page asks who is signed in: that 401 is the answer it expects. */
const ANONYMOUS_ME: ExpectedFailure = { status: 401, path: /^\/api\/auth\/me$/, why: 'not signed in yet' };
const PASSWORD = 'browser-password-1';

describe('web page at / (Chromium via playwright-core; 2 gateway, 2 orders, 2 notifications instances)', () => {
  let stack: GatewayStack;
  let browser: Browser;
  const visitors: Visitor[] = [];

  const visitor = async (expected: ExpectedFailure[] = [ANONYMOUS_ME]) => {
    const v = await openVisitor(browser, expected);
    visitors.push(v);
    return v;
  };

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startGatewayStack({ notifications: 2 }), launchChromium()]);
  }, 180_000);

  afterAll(async () => {
    for (const v of visitors) await v.close().catch(() => undefined);
    await browser?.close();
    await stack?.dispose();
  }, 60_000);

  it('a customer registers, logs in, orders, pays and sees the status and the boards; an admin on gateway 1 changes a price the customer sees after reload; no console errors', async () => {
    const customer = await visitor();
    const page = customer.page;
    const name = username('web');
    await openPage(customer, stack.gateways[0].url);
    expect(await page.title()).toBe('Shop');
    // Anonymous visitors browse the catalog.
    await page.locator('#catalog-rows tr[data-sku="MUG-RED"]').waitFor();

    await page.getByRole('link', { name: 'Account' }).click();
    const register = page.locator('#register-form');
    await register.getByLabel('Username').fill(name);
    await register.getByLabel('Password').fill(PASSWORD);
    await register.getByRole('button', { name: 'Register' }).click();
    await statusSays(page, `Account ${name} created`);
    const login = page.locator('#login-form');
    expect(await login.getByLabel('Username').inputValue()).toBe(name);
    await login.getByLabel('Password').fill(PASSWORD);
    await login.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#who', { hasText: `Signed in as ${name}` }).waitFor();
    await page.locator('#catalog-title:focus').waitFor();

    const mugPrice = page.locator('tr[data-sku="MUG-RED"] [data-field="price"]');
    expect(await mugPrice.innerText()).toBe('€12.99');
    await page.getByLabel('Quantity of Red mug').fill('2');
    await page.locator('#order-total', { hasText: '€25.98' }).waitFor();
    await customer.screenshot('web-catalog');
    await page.getByRole('button', { name: 'Place order' }).click();
    const placed = await statusSays(page, /Order (ord_[0-9a-z]{26}) placed: €25\.98, pending\./);
    const orderId = /(ord_[0-9a-z]{26})/.exec(placed)?.[1] as string;

    await page.getByRole('link', { name: 'My orders' }).click();
    const row = page.locator(`tr[data-order-id="${orderId}"]`);
    await row.locator('[data-field="status"]', { hasText: 'pending' }).waitFor();
    await row.getByRole('button', { name: `Pay order ${orderId}` }).click();
    await row.locator('[data-field="status"]', { hasText: 'paid' }).waitFor();
    // Two notifications (placed, paid) arrived live: the badge counts them.
    await page.locator('#unread-count', { hasText: /^2$/ }).waitFor({ timeout: 5000 });
    expect(await page.locator('#unread-badge').isVisible()).toBe(true);
    // Paid orders can still be cancelled, not paid twice.
    expect(await row.getByRole('button', { name: `Pay order ${orderId}` }).count()).toBe(0);
    await customer.screenshot('web-orders');

    // The boards move with the paid order's event (about a second) and a 5 s response cache.
    await page.getByRole('link', { name: 'Leaderboards' }).click();
    await eventually(20_000, async () => {
      await page.locator('#boards-refresh').click();
      return (await page.locator('#board-customers').innerText()).includes(name);
    });
    await page.locator('#board-me', { hasText: 'You are number' }).waitFor();
    await page.locator('#board-products th', { hasText: 'MUG-RED' }).waitFor();
    await customer.screenshot('web-leaderboards');

    const admin = await visitor();
    const adminPage = admin.page;
    await openPage(admin, stack.gateways[1].url, '#account');
    await loginThroughForm(adminPage, ADMIN.username, ADMIN.password);
    await adminPage.getByRole('link', { name: 'Admin' }).click();
    await adminPage.getByLabel('Product').selectOption('MUG-RED');
    await adminPage.getByLabel('New price in euros').fill('17.77');
    await adminPage.getByRole('button', { name: 'Save price' }).click();
    await statusSays(adminPage, 'Red mug now costs €17.77.');

    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor();
    await page.getByRole('link', { name: 'Catalog' }).click();
    await page.locator('tr[data-sku="MUG-RED"] [data-field="price"]', { hasText: '€17.77' }).waitFor();

    expect(customer.problems).toEqual([]);
    expect(admin.problems).toEqual([]);
  });

  it('keyboard only: Tab reaches the login form with a visible focus ring, Enter logs in, then out; text has AA contrast', async () => {
    const name = username('keys');
    await stack.browser().signIn(0, name, PASSWORD);
    const v = await visitor();
    const page = v.page;
    await openPage(v, stack.gateways[0].url);

    await tabUntil(page, 10, () => document.activeElement?.getAttribute('href') === '#account');
    const ring = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement as Element);
      return `${style.outlineStyle} ${style.outlineWidth}`;
    });
    expect(ring).toBe('solid 3px');
    await page.keyboard.press('Enter');
    await page.locator('#account-title:focus').waitFor();
    await tabUntil(page, 3, () => document.activeElement?.id === 'login-username');
    await page.keyboard.type(name);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.locator('#who', { hasText: `Signed in as ${name}` }).waitFor();

    const low = await page.evaluate(lowContrastTexts);
    expect(low).toEqual([]);

    await page.getByRole('button', { name: 'Log out' }).press('Enter');
    await page.locator('#who', { hasText: 'Not signed in' }).waitFor();
    await page.locator('#login-form').waitFor();
    expect(v.problems).toEqual([]);
  });

  it('admin view: figures of every instance of every service, both gateways included', async () => {
    const admin = await visitor();
    const page = admin.page;
    await openPage(admin, stack.gateways[1].url, '#account');
    await loginThroughForm(page, ADMIN.username, ADMIN.password);
    await page.getByRole('link', { name: 'Admin' }).click();
    const rows = page.locator('#instances-table tbody tr');
    // Each instance reports every INSTANCE_REPORT_MS (5 s): all six are listed within a couple of rounds.
    await eventually(15_000, async () => {
      if ((await rows.count()) >= 6) return true;
      await page.getByRole('button', { name: 'Refresh figures' }).click();
      return false;
    });
    const listed = await rows.evaluateAll((trs) =>
      trs.map((tr) => `${tr.getAttribute('data-service')}/${tr.getAttribute('data-instance')}`).sort(),
    );
    expect(listed).toEqual([
      'gateway/gateway-0',
      'gateway/gateway-1',
      'notifications/notifications-0',
      'notifications/notifications-1',
      'orders/orders-0',
      'orders/orders-1',
    ]);
    const columns = await page.locator('#instances-table thead th').allInnerTexts();
    for (const figure of ['cache.hitRatio', 'bus.published', 'streams.deadLetters', 'rateLimit.rejected'])
      expect(columns).toContain(figure);
    await admin.screenshot('web-admin');
    expect(admin.problems).toEqual([]);
  });
  // Last: it stops gateway 0.
  it('live: an order placed via gateway 1 shows on gateway 0’s page within 1 s and refreshes my orders; gateway 0 stopped, the page on gateway 1 shows what was sent meanwhile, each once', async () => {
    const name = username('live');
    const client = await stack.browser().signIn(1, name, PASSWORD);
    const a = await visitor();
    const page = a.page;
    await openPage(a, stack.gateways[0].url, '#account');
    await loginThroughForm(page, name, PASSWORD);
    await page.getByRole('link', { name: /^Notifications/ }).click();
    await page.locator('#feed-state', { hasText: 'Live' }).waitFor();

    const first = await client.post(1, '/api/orders', { items: [{ sku: 'TEE-M', quantity: 1 }] });
    expect(first.status).toBe(201);
    const answered = performance.now();
    await page.locator(`#feed-list li[data-order-id="${first.body.id}"]`).first().waitFor({ timeout: 5000 });
    const shownMs = performance.now() - answered;
    console.log(
      `notification on gateway 0's page ${shownMs.toFixed(0)} ms after gateway 1 answered the order`,
    );
    expect(shownMs).toBeLessThan(1000);
    await page.locator(`tr[data-order-id="${first.body.id}"]`).waitFor({ state: 'attached', timeout: 5000 });
    await page.locator('#unread-badge:not([hidden])').waitFor();

    // A status change made elsewhere reaches "my orders" live.
    const paid = await client.call(1, 'PATCH', `/api/orders/${first.body.id}/status`, {
      body: { status: 'paid' },
    });
    expect(paid.status).toBe(200);
    await page
      .locator(`tr[data-order-id="${first.body.id}"] [data-field="status"]`, { hasText: 'paid' })
      .waitFor({ state: 'attached', timeout: 5000 });
    await page.locator('#feed-list li[data-notification-id]').nth(1).waitFor({ timeout: 5000 });
    await page.locator('#unread-count', { hasText: /^2$/ }).waitFor({ timeout: 5000 });
    await a.screenshot('web-notifications');
    // Read marks: one, then all; the badge follows the server's count.
    await page
      .getByRole('button', { name: /^Mark read: / })
      .first()
      .click();
    await page.locator('#unread-count', { hasText: /^1$/ }).waitFor({ timeout: 5000 });
    await page.getByRole('button', { name: 'Mark all read' }).click();
    await page.locator('#unread-badge').waitFor({ state: 'hidden', timeout: 5000 });
    expect(await page.locator('#feed-list li.unread').count()).toBe(0);

    await stack.gateways[0].stop();
    const cancelled = await client.post(1, `/api/orders/${first.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    const second = await client.post(1, '/api/orders', { items: [{ sku: 'MUG-BLUE', quantity: 3 }] });
    expect(second.status).toBe(201);
    const feed = await eventuallyValue(10_000, async () => {
      const list = await client.get(1, '/api/notifications?limit=50');
      const items: { id: string; kind: string; orderId: string }[] = list.body?.items ?? [];
      const done =
        items.some((n) => n.kind === 'order.cancelled' && n.orderId === first.body.id) &&
        items.some((n) => n.kind === 'order.created' && n.orderId === second.body.id);
      return done ? items : undefined;
    });

    // Gateway 0's page kept reconnecting to a stopped server: those errors are expected, not counted.
    a.problems.length = 0;
    await openPage(a, stack.gateways[1].url, '#notifications');
    for (const n of feed) await page.locator(`#feed-list li[data-notification-id="${n.id}"]`).waitFor();
    await page.locator('#feed-state', { hasText: 'Live' }).waitFor();
    const shown = await page
      .locator('#feed-list li[data-notification-id]')
      .evaluateAll((items) => items.map((li) => li.getAttribute('data-notification-id')));
    expect(shown).toHaveLength(new Set(shown).size);
    expect([...shown].sort()).toEqual(feed.map((n) => n.id).sort());

    // And live again, now from gateway 1.
    const third = await client.call(1, 'PATCH', `/api/orders/${second.body.id}/status`, {
      body: { status: 'paid' },
    });
    expect(third.status).toBe(200);
    await page
      .locator(`#feed-list li[data-order-id="${second.body.id}"]`, { hasText: /paid/i })
      .first()
      .waitFor({ timeout: 3000 });
    const after = await page.locator('#feed-list li[data-notification-id]').count();
    expect(after).toBe(feed.length + 1);
    expect(a.problems).toEqual([]);
  });
});

/**
 * Waits until the status region says `text` (a string it contains, or a pattern) and returns what it
 * said then, read in the same step: a notification may be announced there a moment later.
 */
async function statusSays(page: Page, text: string | RegExp): Promise<string> {
  const pattern =
    typeof text === 'string' ? { source: '', literal: text } : { source: text.source, literal: '' };
  try {
    const said = await page.waitForFunction(
      ({ source, literal }) => {
        const now = document.getElementById('status')?.textContent ?? '';
        return (literal ? now.includes(literal) : new RegExp(source).test(now)) ? now : false;
      },
      pattern,
      { timeout: 10_000, polling: 25 },
    );
    return (await said.jsonValue()) as string;
  } catch (err) {
    const [status, alert] = await Promise.all(
      ['#status', '#alert'].map((s) => page.locator(s).textContent()),
    );
    throw new Error(
      `status never said ${String(text)} (status: "${status}", alert: "${alert}"): ${String(err)}`,
    );
  }
}

async function loginThroughForm(page: Page, name: string, password: string): Promise<void> {
  const login = page.locator('#login-form');
  await login.getByLabel('Username').fill(name);
  await login.getByLabel('Password').fill(password);
  await login.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#who', { hasText: `Signed in as ${name}` }).waitFor();
}

/** Presses Tab until `focused()` holds in the page, at most `max` times. */
async function tabUntil(page: Page, max: number, focused: () => boolean): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(focused)) return;
  }
  throw new Error(`focus did not get there in ${max} Tab presses`);
}

async function eventually(timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  await eventuallyValue(timeoutMs, async () => ((await check()) ? true : undefined));
}

async function eventuallyValue<T>(timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Runs in the page: every visible element with its own text whose colour against its effective
 * background is under WCAG AA (4.5:1), as "selector ratio".
 */
function lowContrastTexts(): string[] {
  const rgb = (css: string) => (css.match(/[\d.]+/g) ?? []).map(Number);
  const luminance = ([r, g, b]: number[]) => {
    const lin = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const background = (node: Element | null): number[] => {
    for (let el = node; el; el = el.parentElement) {
      const parts = rgb(getComputedStyle(el).backgroundColor);
      if (parts.length === 3 || (parts.length === 4 && parts[3] > 0)) return parts.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const low: string[] = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim());
    const box = el.getBoundingClientRect();
    if (!own || box.width <= 1 || box.height <= 1 || (el as HTMLElement).offsetParent === null) continue;
    const style = getComputedStyle(el);
    const [fg, bg] = [luminance(rgb(style.color)), luminance(background(el))];
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) low.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} ${ratio.toFixed(2)}`);
  }
  return low;
}
