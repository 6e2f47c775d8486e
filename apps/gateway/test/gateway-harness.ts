import {
  createTestDatabase,
  startBuiltService,
  startTestRedis,
  Teardown,
  type Dialect,
  type ServiceProcess,
  type TestDatabase,
  type TestRedis,
} from '@shop/testing';

/** Response bodies as tests read them: any shape, asserted field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert the shape themselves
export type JsonBody = any;

export const ADMIN = { username: 'root_admin', password: 'admin-password-123' };

/** What one HTTP exchange gave back. */
export interface Reply<T = JsonBody> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
  ms: number;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is (no JSON encoding): malformed JSON, form bodies. */
  raw?: string;
  headers?: Record<string, string>;
}

/**
 * One browser: a cookie jar (the session cookie) over `fetch`, talking to whichever gateway instance a
 * call names, as a load balancer would spread it.
 */
export class Browser {
  cookie?: string;

  constructor(private readonly stack: GatewayStack) {}

  async call<T = JsonBody>(
    instance: number,
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookie && headers['cookie'] === undefined) headers['cookie'] = this.cookie;
    let body: string | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const started = performance.now();
    const res = await fetch(`${this.stack.gateways[instance].url}${path}`, {
      method,
      headers,
      body,
      redirect: 'manual',
    });
    const text = await res.text();
    const ms = performance.now() - started;
    const setCookie = res.headers.getSetCookie().find((c) => /^(__Host-)?sid=/.test(c));
    if (setCookie) {
      const pair = setCookie.split(';')[0];
      this.cookie = pair.endsWith('=') ? undefined : pair;
    }
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text, ms };
  }

  get<T = JsonBody>(instance: number, path: string, headers?: Record<string, string>) {
    return this.call<T>(instance, 'GET', path, { headers });
  }

  post<T = JsonBody>(instance: number, path: string, body?: unknown, headers?: Record<string, string>) {
    return this.call<T>(instance, 'POST', path, { body, headers });
  }

  async login(instance: number, username: string, password: string): Promise<Reply> {
    return this.post(instance, '/api/auth/login', { username, password });
  }

  /** Registers (if needed) and logs in; throws unless both worked. */
  async signIn(instance: number, username: string, password = `${username}-password!`): Promise<this> {
    const reg = await this.post(instance, '/api/auth/register', { username, password });
    if (reg.status !== 201 && reg.status !== 409)
      throw new Error(`register ${username}: ${reg.status} ${reg.text}`);
    const login = await this.login(instance, username, password);
    if (login.status !== 200) throw new Error(`login ${username}: ${login.status} ${login.text}`);
    return this;
  }
}

export interface GatewayStack {
  redis: TestRedis;
  cacheRedis: TestRedis;
  gateways: ServiceProcess[];
  orders: ServiceProcess[];
  /** Notifications instances (none unless `notifications` is set). */
  notifications: ServiceProcess[];
  browser(): Browser;
  admin(instance?: number): Promise<Browser>;
  /**
   * Starts a stopped (or killed) instance again with its database and environment (plus `env`, kept for
   * later restarts); it replaces the old process in its list (`gateways`, `orders` or `notifications`)
   * and is stopped on dispose.
   */
  restart(
    service: 'gateway' | 'orders' | 'notifications',
    index: number,
    env?: Record<string, string>,
  ): Promise<ServiceProcess>;
  dispose(): Promise<void>;
}

export interface StackOptions {
  dialect?: Dialect;
  gatewayEnv?: Record<string, string>;
  ordersEnv?: Record<string, string>;
  gateways?: number;
  /** Orders instances. @default 2 */
  orders?: number;
  /** Notifications instances to start (the live feed); 0 by default, as most suites need none. */
  notifications?: number;
  notificationsEnv?: Record<string, string>;
  /**
   * Extra `redis-server` arguments for the data Redis. Tests keep `appendfsync always` (a restart loses
   * nothing); a benchmark passes `['--appendfsync', 'everysec']`, production's setting.
   */
  dataRedisArgs?: string[];
}

/**
 * The system as it runs: a data/bus Redis, a separate cache Redis (so a test can stop either alone),
 * two orders processes and two gateway processes (built, `dist/apps/*`), each app with its own database.
 * Rate limits are generous unless a test sets them: every request comes from 127.0.0.1.
 */
export async function startGatewayStack(options: StackOptions = {}): Promise<GatewayStack> {
  const undo = new Teardown();
  return undo.undoOnFailure(() => startStack(options, undo));
}

async function startStack(options: StackOptions, undo: Teardown): Promise<GatewayStack> {
  const dialect = options.dialect ?? 'sqlite';
  // Durable like production's data Redis (appendonly): a restart keeps sessions, streams and windows.
  const redis = undo.add(await startTestRedis({ appendOnly: true, args: options.dataRedisArgs }), (r) =>
    r.dispose(),
  );
  const cacheRedis = undo.add(await startTestRedis(), (r) => r.dispose());
  const databases: TestDatabase[] = [];
  for (let i = 0; i < (options.notifications ? 3 : 2); i++)
    databases.push(undo.add(await createTestDatabase(dialect), (d) => d.dispose()));
  const common = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    REDIS_CACHE_URL: cacheRedis.url,
    REDIS_COMMAND_TIMEOUT_MS: '300',
  };
  // Every process in one list, registered once: stopped together (in parallel) on dispose, and if a
  // later start fails, whatever had started is stopped with it.
  const processes = undo.add([] as ServiceProcess[], (ps) => Promise.all(ps.map((p) => p.stop())));
  const started = new Map<string, (more?: Record<string, string>) => Promise<ServiceProcess>>();
  const start = async (service: string, index: number, databaseUrl: string, env: Record<string, string>) => {
    started.set(`${service}-${index}`, (more = {}) =>
      start(service, index, databaseUrl, { ...env, ...more }),
    );
    const proc = await startBuiltService({
      service,
      index,
      redisUrl: redis.url,
      databaseUrl,
      env: { ...common, ...env },
    });
    processes.push(proc);
    return proc;
  };
  const orders: ServiceProcess[] = [];
  for (let i = 0; i < (options.orders ?? 2); i++)
    orders.push(await start('orders', i, databases[0].url, options.ordersEnv ?? {}));
  const notifications: ServiceProcess[] = [];
  for (let i = 0; i < (options.notifications ?? 0); i++)
    notifications.push(await start('notifications', i, databases[2].url, options.notificationsEnv ?? {}));
  const gateways: ServiceProcess[] = [];
  for (let i = 0; i < (options.gateways ?? 2); i++)
    gateways.push(
      await start('gateway', i, databases[1].url, {
        SESSION_SECRET: 'e2e-session-secret-0123456789abcdef0123456789',
        ADMIN_USERNAME: ADMIN.username,
        ADMIN_PASSWORD: ADMIN.password,
        PASSWORD_SCRYPT_LOG_N: '12',
        RATE_LIMIT_API: '100000/60s',
        RATE_LIMIT_WRITES: '100000/60s',
        RATE_LIMIT_LOGIN_IP: '100000/15m',
        RATE_LIMIT_LOGIN_USER: '100000/15m',
        ...options.gatewayEnv,
      }),
    );
  const stack: GatewayStack = {
    redis,
    cacheRedis,
    gateways,
    orders,
    notifications,
    browser: () => new Browser(stack),
    async admin(instance = 0) {
      const b = new Browser(stack);
      const res = await b.login(instance, ADMIN.username, ADMIN.password);
      if (res.status !== 200) throw new Error(`admin login: ${res.status} ${res.text}`);
      return b;
    },
    async restart(service, index, env) {
      const again = started.get(`${service}-${index}`);
      const list = { gateway: gateways, orders, notifications }[service];
      if (!again || !list[index]) throw new Error(`no ${service}-${index} in this stack`);
      await list[index].stop();
      list[index] = await again(env);
      return list[index];
    },
    // The processes first, then the databases and the two Redis servers (the reverse of their start).
    dispose: () => undo.run(),
  };
  return stack;
}

/** A fresh username per call (the stack lives for a whole file). */
let counter = 0;
export function username(prefix = 'user'): string {
  counter += 1;
  return `${prefix}_${process.pid % 1000}_${counter}`;
}
