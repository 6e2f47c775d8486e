import { startTestRedis, type TestRedis } from '@shop/testing';
import express from 'express';
import session from 'express-session';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { RedisSessionStore, SessionAuth } from '../src';
import { makeStore } from './helpers';

declare module 'express-session' {
  interface SessionData {
    auth?: SessionAuth;
    visits?: number;
  }
}

/** One "gateway": express 5 + express-session on its own store instance and connections. */
async function startApp(store: RedisSessionStore): Promise<{ url: string; server: Server }> {
  const app = express();
  app.use(express.json());
  app.use(
    session({
      store,
      genid: store.genid,
      secret: 'test-secret',
      name: 'sid',
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax' },
    }),
  );
  app.post('/visit', (req, res) => {
    req.session.visits = (req.session.visits ?? 0) + 1;
    res.json({ visits: req.session.visits });
  });
  app.post('/login', async (req, res, next) => {
    try {
      await store.login(req, String(req.body.user));
      res.json({ ok: true });
    } catch (err) {
      next(err);
    }
  });
  app.get('/me', (req, res) => {
    if (!req.session.auth) {
      res.status(401).json({ error: 'not authenticated' });
      return;
    }
    res.json({ user: req.session.auth.userId, visits: req.session.visits ?? 0 });
  });
  app.get('/sessions', async (req, res) => {
    if (!req.session.auth) return void res.status(401).end();
    res.json(await store.listSessions(req.session.auth.userId));
  });
  app.post('/logout', (req, res, next) =>
    req.session.destroy((err) => (err ? next(err) : res.json({ ok: true }))),
  );
  app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(503).json({ error: err.message });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The `name=value` part of a Set-Cookie header. */
function cookieOf(res: Response): string | undefined {
  return res.headers.get('set-cookie')?.split(';')[0];
}

describe('under a real express-session app, two instances', () => {
  let redis: TestRedis;
  const stores: Array<Awaited<ReturnType<typeof makeStore>>> = [];
  const servers: Server[] = [];
  let appA: string;
  let appB: string;

  beforeAll(async () => {
    redis = await startTestRedis();
    for (const id of ['gw-a', 'gw-b']) stores.push(await makeStore(redis.url, id));
    const a = await startApp(stores[0].store);
    const b = await startApp(stores[1].store);
    servers.push(a.server, b.server);
    appA = a.url;
    appB = b.url;
  });
  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
    for (const s of stores) await s.close();
    await redis?.dispose();
  });

  // express-session saves the session before the response's last byte but after its headers: a test
  // that went on at the headers (fetch resolves there) could send its next request before the save.
  // Each exchange reads the whole body first, as a browser does before it follows up.
  const complete = async (pending: Promise<Response>): Promise<Response> => {
    const res = await pending;
    const body = await res.arrayBuffer();
    return new Response(body, { status: res.status, headers: res.headers });
  };
  const post = (url: string, cookie?: string, body?: unknown) =>
    complete(
      fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'jest-browser',
          ...(cookie ? { cookie } : {}),
        },
        body: JSON.stringify(body ?? {}),
      }),
    );
  const get = (url: string, cookie?: string) => complete(fetch(url, { headers: cookie ? { cookie } : {} }));

  it('login, a request on the other instance, logout, then the old cookie is not authenticated', async () => {
    const anon = cookieOf(await post(`${appA}/visit`));
    expect(anon).toBeDefined();

    const login = await post(`${appA}/login`, anon, { user: 'ada' });
    expect(login.status).toBe(200);
    const authed = cookieOf(login);
    expect(authed).toBeDefined();
    expect(authed).not.toBe(anon); // regenerated

    const me = await get(`${appB}/me`, authed);
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ user: 'ada', visits: 1 });
    expect((await get(`${appB}/me`, anon)).status).toBe(401); // the pre-login id is dead

    const list = (await (await get(`${appB}/sessions`, authed)).json()) as {
      total: number;
      sessions: Array<{ userAgent: string; ip: string }>;
    };
    expect(list.total).toBe(1);
    expect(list.sessions[0]).toMatchObject({ userAgent: 'jest-browser', ip: '127.0.0.1' });

    expect((await post(`${appB}/logout`, authed)).status).toBe(200);
    expect((await get(`${appA}/me`, authed)).status).toBe(401);
    expect((await post(`${appA}/visit`, authed)).status).toBe(200); // a replayed cookie gets a new anonymous session
    expect((await get(`${appA}/me`, authed)).status).toBe(401);
  });

  it('fails the request cleanly (no hang) while Redis is down, and serves again once it is back', async () => {
    const login = await post(`${appA}/login`, undefined, { user: 'grace' });
    const cookie = cookieOf(login);
    await redis.stop();
    try {
      const started = Date.now();
      const res = await get(`${appA}/me`, cookie);
      expect(res.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await redis.start();
    }
    for (const s of stores) await s.store.ready(5000);
    const relogin = await post(`${appA}/login`, undefined, { user: 'grace' });
    expect(relogin.status).toBe(200);
    expect((await get(`${appB}/me`, cookieOf(relogin))).status).toBe(200);
  });
});
