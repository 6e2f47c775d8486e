// The notifications bench's peer, one process per instance (started by notifications.bench.ts with
// startServiceProcess, run through ts-node): the seed page's recipe for real-time notifications across
// instances, done plainly. Every instance SUBSCRIBEs to one Redis channel; a publisher PUBLISHes
// `{ userId, orderId }`; each instance writes it as an SSE `data:` line to the connections it holds for
// that user. Nothing is stored: no feed, no resume, no dedupe, so a browser that reconnects (or an
// instance that is down) misses what was sent meanwhile. It is the floor the gateway's durable path
// (events stream -> notifications service -> per-user feed -> fan-out stream -> SSE) is compared with.
// Env: PORT, REDIS_URL, PEER_CHANNEL. `GET /stream?user=<id>` is the SSE endpoint; `/health/ready` answers 200.
import { Redis } from 'ioredis';
import { createServer, type ServerResponse } from 'node:http';

const port = Number(process.env['PORT']);
const redisUrl = process.env['REDIS_URL'];
const channel = process.env['PEER_CHANNEL'];
if (!port || !redisUrl || !channel)
  throw new Error('pubsub-peer: PORT, REDIS_URL and PEER_CHANNEL are required');

const byUser = new Map<string, Set<ServerResponse>>();
const subscriber = new Redis(redisUrl, { lazyConnect: true });

subscriber.on('message', (_channel: string, raw: string) => {
  const { userId } = JSON.parse(raw) as { userId: string };
  for (const res of byUser.get(userId) ?? []) res.write(`data: ${raw}\n\n`);
});

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://peer');
  if (url.pathname === '/health/ready') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  const user = url.searchParams.get('user');
  if (url.pathname !== '/stream' || !user) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  // Like the gateway: a first event once the connection is registered, so the bench knows it is live.
  res.write('event: ready\ndata: {}\n\n');
  const set = byUser.get(user) ?? new Set<ServerResponse>();
  set.add(res);
  byUser.set(user, set);
  req.on('close', () => {
    set.delete(res);
    if (set.size === 0) byUser.delete(user);
  });
});

void (async () => {
  await subscriber.connect();
  await subscriber.subscribe(channel);
  server.listen(port, '127.0.0.1');
})();

process.on('SIGTERM', () => {
  server.close();
  subscriber.disconnect();
  for (const set of byUser.values()) for (const res of set) res.end();
  process.exit(0);
});
