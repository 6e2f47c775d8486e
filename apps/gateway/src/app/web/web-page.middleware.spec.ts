import { Controller, Get, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { get } from 'node:http';
import { WEB_PAGE_CSP } from './web-page.middleware';
import { WebPageModule } from './web-page.module';
import { findWebRoot, listWebFiles } from './web-root';

/** Stands for the API: a route the page's middleware must leave alone. */
@Controller('api')
class ApiStandIn {
  @Get('products')
  products(): { passedOn: true } {
    return { passedOn: true };
  }
}

describe('WebPageModule (the page at /, from apps/gateway/src/public, mounted the way Nest mounts it)', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [WebPageModule],
      controllers: [ApiStandIn],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('finds the sources when run unbundled and lists files as URL paths', () => {
    const root = findWebRoot();
    expect(root).toMatch(/apps[/\\]gateway[/\\]src[/\\]public$/);
    const files = listWebFiles(root as string);
    expect(files).toContain('/index.html');
    expect(files).toContain('/app.js');
    expect(files).toContain('/views/feed.js');
  });

  it('/ is index.html with the security headers, revalidated every time (ETag -> 304)', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toBe(WEB_PAGE_CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<script type="module" src="/app.js">');
    // fetch() adds `Cache-Control: no-cache` to a request with If-None-Match (Fetch spec), which makes
    // any server answer in full; a browser revalidating its cached copy does not, so plain http here.
    const etag = res.headers.get('etag') as string;
    expect(await statusOf(`${base}/`, { 'if-none-match': etag })).toBe(304);
    expect((await fetch(`${base}/?from=link`)).status).toBe(200);
  });

  it('serves the scripts as JavaScript (module scripts need it) and the styles, HEAD too', async () => {
    const script = await fetch(`${base}/views/catalog.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
    expect(await script.text()).toContain('export async function loadCatalog');
    expect(script.headers.get('content-security-policy')).toBeNull();
    const styles = await fetch(`${base}/styles.css`, { method: 'HEAD' });
    expect(styles.status).toBe(200);
    expect(styles.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('the API is untouched', async () => {
    const res = await fetch(`${base}/api/products`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ passedOn: true });
    expect(res.headers.get('content-security-policy')).toBeNull();
  });

  it.each([
    ['GET', '/nothing-here.js'],
    ['GET', '/views/'],
    ['GET', '/views'],
    ['GET', '/%2e%2e/package.json'],
    ['GET', '/..%2fpackage.json'],
    ['POST', '/'],
    ['DELETE', '/app.js'],
  ])('%s %s is not the page’s (the router answers 404)', async (method, path) => {
    const res = await fetch(`${base}${path}`, { method });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-security-policy')).toBeNull();
  });
});

function statusOf(url: string, headers: Record<string, string>): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on('error', reject);
  });
}
