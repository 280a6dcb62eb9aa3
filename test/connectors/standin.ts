import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stand-in received. */
export interface Received {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  body: unknown;
  at: number;
}

export type Answer = { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number };

/**
 * A real HTTP system on loopback that a test can take down (the port refuses connections) and bring
 * back on the same port. It counts requests in flight, so bulkhead tests can read the most it saw at
 * once, and it applies each idempotency key once, as a well-behaved system does.
 */
export class StandIn {
  readonly received: Received[] = [];
  /** Keys applied, with how many times a request under them was answered. */
  readonly applied = new Map<string, number>();
  inFlight = 0;
  maxInFlight = 0;
  /** Decides the answer; default 200 echoing `{ ok: true, key }`. */
  answer: (req: Received) => Answer | Promise<Answer> = (r) => ({
    status: 200,
    body: { ok: true, key: r.idempotencyKey },
  });
  private server: Server | undefined;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get isUp(): boolean {
    return this.server !== undefined;
  }

  async up(): Promise<this> {
    if (this.server) return this;
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Stops listening and drops open connections: calls now fail with ECONNREFUSED or a reset. */
  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  requestsFor(key: string): Received[] {
    return this.received.filter((r) => r.idempotencyKey === key);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      let text = '';
      for await (const chunk of req) text += chunk;
      const key = req.headers['idempotency-key'];
      const r: Received = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        idempotencyKey: typeof key === 'string' ? key : undefined,
        body: text ? JSON.parse(text) : undefined,
        at: Date.now(),
      };
      this.received.push(r);
      if (r.path === '/health') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
        return;
      }
      const a = await this.answer(r);
      if (a.delayMs) await new Promise((resolve) => setTimeout(resolve, a.delayMs));
      if (a.status < 300 && r.idempotencyKey)
        this.applied.set(r.idempotencyKey, (this.applied.get(r.idempotencyKey) ?? 0) + 1);
      if (res.destroyed) return;
      const type = a.status >= 400 ? 'application/problem+json' : 'application/json';
      res.writeHead(a.status, { 'content-type': type, ...a.headers });
      res.end(a.body === undefined ? '' : JSON.stringify(a.body));
    } finally {
      this.inFlight--;
    }
  }
}
