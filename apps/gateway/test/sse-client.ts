import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { waitFor } from '@shop/testing';

/** One Server-Sent Event as a browser's EventSource would see it. */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
  /** performance.now() when it was parsed. */
  at: number;
}

/**
 * A minimal EventSource over node:http (Node 20 has none): one connection, no automatic reconnect, so a
 * test decides where and with which `Last-Event-ID` to reconnect. Parses `id`, `event`, `data`, `retry`
 * and comments per the WHATWG event-stream rules the gateway uses.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  comments = 0;
  retry?: number;
  status = 0;
  ended = false;
  body = '';
  private req?: ClientRequest;
  private res?: IncomingMessage;

  /** Times the stream was reopened (`reconnect` only). */
  reconnects = 0;
  private closedByTest = false;

  /**
   * `reconnect`: when the server ends a stream (shutdown, a feed it could not read), open it again after
   * its `retry:` with `Last-Event-ID`, as a browser's EventSource does; `ended` stays false meanwhile.
   */
  static async open(
    url: string,
    headers: Record<string, string> = {},
    options: { reconnect?: boolean } = {},
  ): Promise<SseClient> {
    const c = new SseClient();
    await c.connect(url, headers, options.reconnect ?? false);
    return c;
  }

  private connect(url: string, headers: Record<string, string>, reconnect: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        this.res = res;
        this.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        let pending = '';
        res.on('data', (chunk: string) => {
          if (this.status !== 200) {
            this.body += chunk;
            return;
          }
          pending += chunk;
          let end: number;
          while ((end = pending.indexOf('\n\n')) >= 0) {
            this.parse(pending.slice(0, end));
            pending = pending.slice(end + 2);
          }
        });
        res.on('close', () => {
          if (!reconnect || this.closedByTest || this.status !== 200) {
            this.ended = true;
            return;
          }
          setTimeout(() => {
            if (this.closedByTest) return;
            this.reconnects++;
            const last = this.lastEventId;
            this.connect(url, { ...headers, ...(last ? { 'last-event-id': last } : {}) }, reconnect).catch(
              () => (this.ended = true),
            );
          }, this.retry ?? 1000);
        });
        resolve();
      });
      req.on('error', (err) => {
        this.ended = true;
        reject(err);
      });
      req.end();
      this.req = req;
    });
  }

  private parse(block: string): void {
    const ev: SseEvent = { event: 'message', data: '', at: performance.now() };
    let hasData = false;
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        this.comments++;
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') ev.id = value;
      else if (field === 'event') ev.event = value;
      else if (field === 'retry') this.retry = Number(value);
      else if (field === 'data') {
        ev.data += (hasData ? '\n' : '') + value;
        hasData = true;
      }
    }
    if (hasData) this.events.push(ev);
  }

  /** The notification events as received (not `ready` / `reset`). */
  notificationEvents(): SseEvent[] {
    return this.events.filter((e) => e.event === 'message');
  }

  /** Notification events (`message`), their data parsed. */
  messages<T = { id: string; orderId: string; kind: string; eventId: string }>(): T[] {
    return this.events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data) as T);
  }

  /** The id a browser would send back as `Last-Event-ID`. */
  get lastEventId(): string | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i].id) return this.events[i].id;
    return undefined;
  }

  /** Resolves once the gateway has placed the stream in the feed (`event: ready`): live from then on. */
  async waitForReady(timeoutMs = 10_000): Promise<void> {
    await waitFor('the stream to be ready', () => this.events.some((e) => e.event === 'ready'), {
      timeoutMs,
    });
  }

  async waitForMessages(n: number, timeoutMs = 10_000): Promise<void> {
    await waitFor(`${n} SSE messages (have ${this.messages().length})`, () => this.messages().length >= n, {
      timeoutMs,
    });
  }

  close(): void {
    this.closedByTest = true;
    this.req?.destroy();
    this.res?.destroy();
    this.ended = true;
  }
}
