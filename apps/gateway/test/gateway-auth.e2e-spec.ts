import { describeEachDialect } from '@shop/testing';
import { ADMIN, startGatewayStack, username, type GatewayStack } from './gateway-harness';

describeEachDialect('gateway accounts and sessions (2 gateway instances)', (dialect) => {
  let stack: GatewayStack;

  beforeAll(async () => {
    stack = await startGatewayStack({ dialect });
  });

  afterAll(async () => {
    await stack?.dispose();
  });

  it('registers (case-folded, 409 when taken), refuses bad names and passwords with 400 naming the field', async () => {
    const b = stack.browser();
    const name = username('Reg');
    const created = await b.post(0, '/api/auth/register', { username: name, password: 'long enough pw' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^u_/),
      username: name.toLowerCase(),
      role: 'customer',
    });
    const taken = await b.post(1, '/api/auth/register', {
      username: name.toLowerCase(),
      password: 'another password',
    });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({
      statusCode: 409,
      code: 'E_USERNAME_TAKEN',
      requestId: expect.any(String),
    });
    for (const bad of [
      { username: 'ab', password: 'long enough pw' },
      { username: 'has space', password: 'long enough pw' },
      { username: 'ok_name', password: 'short' },
      { username: 'ok_name', password: 'x'.repeat(129) },
      { username: 42, password: 'long enough pw' },
    ]) {
      const res = await b.post(0, '/api/auth/register', bad);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.message)).toMatch(/username|password/);
    }
  });

  it('login: the same 401 for an unknown user and a wrong password; the cookie is HttpOnly and SameSite=Lax', async () => {
    const name = username('login');
    const b = stack.browser();
    await b.post(0, '/api/auth/register', { username: name, password: 'right password' });
    const wrong = await b.login(0, name, 'wrong password');
    const unknown = await b.login(1, username('nobody'), 'right password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body.message).toBe(wrong.body.message);
    expect(unknown.body.code).toBe('E_BAD_CREDENTIALS');
    expect(b.cookie).toBeUndefined();

    const res = await stack
      .browser()
      .post(0, '/api/auth/login', { username: name, password: 'right password' });
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sid='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i); // plain http here; https gets Secure + __Host-
  });

  it('without TRUST_PROXY a client-sent X-Forwarded-Proto does not make the session cookie a __Host- one', async () => {
    const spoofed = await stack
      .browser()
      .post(
        0,
        '/api/auth/login',
        { username: ADMIN.username, password: ADMIN.password },
        { 'x-forwarded-proto': 'https' },
      );
    expect(spoofed.status).toBe(200);
    expect(spoofed.headers.getSetCookie().some((c) => c.startsWith('sid='))).toBe(true);
  });

  it('me on the other instance; session fixation: a planted cookie does not survive login', async () => {
    const mallory = stack.browser();
    await mallory.signIn(0, username('mallory'));
    const planted = mallory.cookie;
    const victim = stack.browser();
    victim.cookie = planted; // the attacker's cookie in the victim's browser
    const name = username('victim');
    await stack.browser().post(0, '/api/auth/register', { username: name, password: 'victim password' });
    const login = await victim.login(1, name, 'victim password');
    expect(login.status).toBe(200);
    expect(victim.cookie).toBeDefined();
    expect(victim.cookie).not.toBe(planted);
    const me = await victim.get(0, '/api/auth/me');
    expect(me.body).toMatchObject({ username: name, role: 'customer' });
    // The planted id is dead: not the victim, not even mallory any more.
    const replay = stack.browser();
    replay.cookie = planted;
    expect((await replay.get(1, '/api/auth/me')).status).toBe(401);
    // A forged, unsigned id is no session either.
    const forged = stack.browser();
    forged.cookie = 'sid=s%3Aforged.forged';
    expect((await forged.get(0, '/api/auth/me')).status).toBe(401);
  });

  it('logout, then the old cookie replayed on the other instance is 401', async () => {
    const b = stack.browser();
    await b.signIn(0, username('logout'));
    const old = b.cookie;
    expect((await b.get(1, '/api/auth/me')).status).toBe(200);
    const out = await b.post(0, '/api/auth/logout');
    expect(out.status).toBe(204);
    const replay = stack.browser();
    replay.cookie = old;
    const me = await replay.get(1, '/api/auth/me');
    expect(me.status).toBe(401);
    expect(me.body).toMatchObject({
      statusCode: 401,
      code: 'E_UNAUTHENTICATED',
      requestId: expect.any(String),
    });
  });

  it('an account made admin at a start loses the sessions it opened as a customer; it logs in again as admin', async () => {
    const name = username('promoted');
    const b = await stack.browser().signIn(0, name);
    expect((await b.get(1, '/api/auth/me')).body.role).toBe('customer');
    const password = 'promoted-admin-password-1';
    await stack.restart('gateway', 1, { ADMIN_USERNAME: name, ADMIN_PASSWORD: password });
    try {
      // The old session held the customer role (and the old password): it is gone on both instances.
      expect((await b.get(0, '/api/auth/me')).status).toBe(401);
      expect((await b.get(1, '/api/auth/me')).status).toBe(401);
      const again = stack.browser();
      expect((await again.login(0, name, password)).status).toBe(200);
      expect((await again.get(1, '/api/auth/me')).body).toMatchObject({ username: name, role: 'admin' });
    } finally {
      await stack.restart('gateway', 1, { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
    }
  });

  it('lists my sessions (no raw ids) and revoking one ends it on both instances; DELETE all-but-current', async () => {
    const name = username('multi');
    const laptop = await stack.browser().signIn(0, name);
    const phone = stack.browser();
    await phone.login(1, name, `${name}-password!`);
    const tablet = stack.browser();
    await tablet.login(0, name, `${name}-password!`);
    const list = await laptop.get(1, '/api/auth/sessions');
    expect(list.status).toBe(200);
    expect(list.body.nextCursor).toBeNull();
    expect(list.body.items).toHaveLength(3);
    expect(list.body.items.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    for (const s of list.body.items) {
      expect(s).toEqual({
        id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
        createdAt: expect.any(String),
        lastSeenAt: expect.any(String),
        userAgent: expect.any(String),
        ip: expect.any(String),
        current: expect.any(Boolean),
      });
      expect(laptop.cookie).not.toContain(s.id);
    }
    const phoneSession = (await phone.get(0, '/api/auth/sessions')).body.items.find(
      (s: { current: boolean }) => s.current,
    );
    const revoked = await laptop.call(0, 'DELETE', `/api/auth/sessions/${phoneSession.id}`);
    expect(revoked.status).toBe(204);
    expect((await phone.get(0, '/api/auth/me')).status).toBe(401);
    expect((await phone.get(1, '/api/auth/me')).status).toBe(401);
    expect((await laptop.call(1, 'DELETE', `/api/auth/sessions/${phoneSession.id}`)).status).toBe(404);
    // Another user cannot revoke mine.
    const other = await stack.browser().signIn(1, username('other'));
    const laptopSession = (await laptop.get(0, '/api/auth/sessions')).body.items.find(
      (s: { current: boolean }) => s.current,
    );
    expect((await other.call(0, 'DELETE', `/api/auth/sessions/${laptopSession.id}`)).status).toBe(404);
    expect((await laptop.get(1, '/api/auth/me')).status).toBe(200);

    const all = await laptop.call(1, 'DELETE', '/api/auth/sessions');
    expect(all.body).toEqual({ revoked: 1 });
    expect((await tablet.get(0, '/api/auth/me')).status).toBe(401);
    expect((await laptop.get(0, '/api/auth/me')).status).toBe(200);
  });

  it('CSRF: a cross-site or foreign-origin write is refused (403 E_CSRF), a form-encoded body is 415', async () => {
    const b = await stack.browser().signIn(0, username('csrf'));
    const order = { items: [{ sku: 'MUG-RED', quantity: 1 }] };
    const crossSite = await b.post(0, '/api/orders', order, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.code).toBe('E_CSRF');
    const foreign = await b.post(1, '/api/orders', order, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body.code).toBe('E_CSRF');
    expect((await b.post(0, '/api/orders', order, { origin: 'null' })).status).toBe(403);
    const form = await b.call(0, 'POST', '/api/orders', {
      raw: 'items=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect(form.body.code).toBe('E_UNSUPPORTED_MEDIA_TYPE');
    const textPlain = await b.call(0, 'POST', '/api/auth/logout', {
      raw: '{}',
      headers: { 'content-type': 'text/plain' },
    });
    expect(textPlain.status).toBe(415);
    // Same origin (what the browser sends for the gateway's own page) is fine.
    const own = await b.post(0, '/api/orders', order, {
      origin: stack.gateways[0].url,
      'sec-fetch-site': 'same-origin',
    });
    expect(own.status).toBe(201);
    // Nothing was created by the refused ones.
    const mine = await b.get(1, '/api/orders');
    expect(mine.body.items).toHaveLength(1);
  });
});
