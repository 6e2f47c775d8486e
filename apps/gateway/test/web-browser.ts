import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it): Playwright cannot download one here. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where the suite's screenshots go: `reports/` at the workspace root. */
export const REPORTS_DIR = join(__dirname, '..', '..', '..', 'reports');

/** Headless, no sandbox (CI runs as root), and nothing that phones home or updates itself. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** An answer the page is expected to get on its way (e.g. `/api/auth/me` -> 401 before logging in). */
export interface ExpectedFailure {
  status: number;
  path: RegExp;
  why: string;
}

/**
 * One visitor: a context of their own (own cookie jar) with one page. Every console error, uncaught
 * exception and unexpected failed answer is recorded in `problems`; Chromium's "Failed to load
 * resource" lines for the expected failures are not problems.
 */
export interface Visitor {
  context: BrowserContext;
  page: Page;
  problems: string[];
  close(): Promise<void>;
  screenshot(name: string): Promise<void>;
}

export async function openVisitor(browser: Browser, expected: ExpectedFailure[] = []): Promise<Visitor> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1200, height: 900 } });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const page = await context.newPage();
  const problems: string[] = [];
  const allowed = (status: number, url: string) =>
    expected.some((e) => e.status === status && e.path.test(new URL(url).pathname));
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('response', (res) => {
    if (res.status() >= 400 && !allowed(res.status(), res.url()))
      problems.push(`${res.request().method()} ${res.url()} -> ${res.status()}`);
  });
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const failedLoad = /^Failed to load resource: the server responded with a status of (\d+)/.exec(
      msg.text(),
    );
    if (failedLoad && allowed(Number(failedLoad[1]), msg.location().url)) return;
    problems.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  return {
    context,
    page,
    problems,
    close: () => context.close(),
    async screenshot(name: string) {
      mkdirSync(REPORTS_DIR, { recursive: true });
      await page.screenshot({ path: join(REPORTS_DIR, `${name}.png`), fullPage: true, timeout: 10_000 });
    },
  };
}

/** Opens the page and waits until it knows who is signed in (`body[data-ready]`); names what went wrong if not. */
export async function openPage(visitor: Visitor, baseUrl: string, hash = ''): Promise<void> {
  await visitor.page.goto(`${baseUrl}/${hash}`, { waitUntil: 'load' });
  try {
    await visitor.page.locator('body[data-ready="true"]').waitFor({ timeout: 10_000 });
  } catch (err) {
    throw new Error(
      `the page at ${baseUrl} did not get ready: ${String(err)}; seen: ${visitor.problems.join('; ')}`,
    );
  }
}
