import { createHash } from 'node:crypto';
import type { Static, TSchema } from '@sinclair/typebox';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { SimContext } from './context.js';
import type { SystemName } from './names.js';
import { HttpRefusal, problemOf, sendProblem } from './problem.js';
import { parse } from './validate.js';

/** What a route handler answers: a status (200 unless said) and a JSON body. */
export interface Answer {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Kept {
  hash: string;
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY = /^[\x21-\x7e]{1,255}$/;
/** Enough for a long simulation; the oldest keys are forgotten first beyond it. */
const MAX_KEPT = 200_000;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the fault plan says this request is processed but never answered. */
    simHold?: boolean;
  }
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/**
 * The routes of one system. Handlers are synchronous over the shared state, so an idempotency
 * check, the effect and the recording of its answer happen in one turn of the event loop: two
 * concurrent requests with the same key cannot both apply the effect.
 */
export class SystemRoutes {
  private readonly kept = new Map<string, Kept>();

  constructor(
    readonly app: FastifyInstance,
    readonly system: SystemName,
  ) {}

  get(path: string, handler: (req: FastifyRequest) => unknown): void {
    this.app.get(path, async (req) => handler(req));
  }

  /** A command with a JSON body checked against `schema`; `Idempotency-Key` makes it safe to repeat. */
  post<S extends TSchema>(
    path: string,
    schema: S,
    handler: (body: Static<S>, req: FastifyRequest) => Answer,
  ): void {
    this.app.post(path, (req, reply) =>
      this.answer(req, reply, true, () => handler(parse(schema, req.body ?? {}), req)),
    );
  }

  /** A command whose body the handler reads itself (for example X12 text). */
  postRaw(path: string, handler: (req: FastifyRequest) => Answer): void {
    this.app.post(path, (req, reply) => this.answer(req, reply, true, () => handler(req)));
  }

  patch<S extends TSchema>(
    path: string,
    schema: S,
    handler: (body: Static<S>, req: FastifyRequest) => Answer,
  ): void {
    this.app.patch(path, (req, reply) =>
      this.answer(req, reply, false, () => handler(parse(schema, req.body ?? {}), req)),
    );
  }

  private answer(
    req: FastifyRequest,
    reply: FastifyReply,
    idempotent: boolean,
    run: () => Answer,
  ): FastifyReply {
    const raw = idempotent ? req.headers[IDEMPOTENCY_HEADER] : undefined;
    const key = Array.isArray(raw) ? raw[0] : raw;
    let result: Kept;
    try {
      if (key !== undefined && !KEY.test(key))
        throw new HttpRefusal(
          400,
          'Idempotency-Key must be 1 to 255 visible ASCII characters',
          'bad-idempotency-key',
        );
      const hash = createHash('sha256')
        .update(`${req.method} ${req.url}\n`)
        .update(typeof req.body === 'string' ? req.body : stableJson(req.body ?? null))
        .digest('hex');
      const before = key === undefined ? undefined : this.kept.get(key);
      if (before) {
        if (before.hash !== hash)
          throw new HttpRefusal(
            422,
            `Idempotency-Key "${key}" was already used for a different request; use a new key for a new request`,
            'idempotency-key-reused',
          );
        return reply
          .code(before.status)
          .headers({ ...before.headers, 'idempotent-replayed': 'true' })
          .send(before.body);
      }
      result = this.run(req, run, hash);
      if (key !== undefined && result.status < 500) {
        if (this.kept.size >= MAX_KEPT) this.kept.delete(this.kept.keys().next().value as string);
        this.kept.set(key, result);
      }
    } catch (err) {
      result = this.failure(req, err, '');
    }
    return reply.code(result.status).headers(result.headers).send(result.body);
  }

  private run(req: FastifyRequest, run: () => Answer, hash: string): Kept {
    try {
      const a = run();
      return {
        hash,
        status: a.status ?? 200,
        body: a.body,
        headers: { 'content-type': 'application/json; charset=utf-8', ...a.headers },
      };
    } catch (err) {
      return this.failure(req, err, hash);
    }
  }

  private failure(req: FastifyRequest, err: unknown, hash: string): Kept {
    const problem = problemOf(this.system, err, req.url);
    return {
      hash,
      status: problem.status,
      body: problem,
      headers: { 'content-type': 'application/problem+json' },
    };
  }
}

/** Starts `ms` of waiting that the simulator can cut short when it stops. */
function pause(ctx: SimContext, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      ctx.timers.delete(t);
      resolve();
    }, ms);
    t.unref();
    ctx.timers.add(t);
  });
}

/**
 * One system's HTTP service: its routes, `GET /health`, the admin routes under `/_sim`, and the
 * fault plan applied to every other request before it reaches a handler (outages, errors, delay)
 * and after it (an answer withheld).
 */
export function createSystemApp(
  system: SystemName,
  ctx: SimContext,
  routes: (r: SystemRoutes, ctx: SimContext) => void,
): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 5 * 1024 * 1024 });
  app.addContentTypeParser(
    ['text/plain', 'application/edi-x12', 'application/edi'],
    { parseAs: 'string' },
    (_r, body, done) => done(null, body),
  );
  app.setErrorHandler((err, req, reply) => sendProblem(reply, problemOf(system, err, req.url)));
  app.setNotFoundHandler((req, reply) =>
    sendProblem(
      reply,
      problemOf(
        system,
        new HttpRefusal(404, `no route ${req.method} ${req.url} on the ${system} system`, 'no-route'),
        req.url,
      ),
    ),
  );

  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    if (path.startsWith('/_sim/')) return;
    if (path === '/health') {
      const down = ctx.faults.down(system);
      if (down) throw outage(system, down.end, ctx.clock.now());
      return;
    }
    const d = ctx.faults.decide(system);
    if (d.kind === 'outage') {
      if (d.mode === 'reset') {
        req.raw.socket.destroy();
        return reply.hijack();
      }
      throw outage(system, d.until, ctx.clock.now());
    }
    if (d.kind === 'error')
      throw new HttpRefusal(
        d.status,
        `the ${system} system failed to answer (simulated ${d.status})`,
        'fault',
      );
    await pause(ctx, d.delayMs);
    if (d.timeout) req.simHold = true;
  });

  app.addHook('onSend', async (req, _reply, payload) => {
    if (!req.simHold) return payload;
    // the effect has been applied; the caller never learns it and must retry with the same key
    await pause(ctx, ctx.faults.get(system).timeoutHoldMs);
    req.raw.socket.destroy();
    return payload;
  });

  app.get('/health', async () => ({
    system,
    status: 'up',
    seed: ctx.seed,
    time: new Date(ctx.clock.now()).toISOString(),
  }));
  app.get('/_sim/faults', async () => ctx.faults.view());
  app.post('/_sim/faults', async (req) => {
    ctx.faults.apply(req.body ?? {}, 'body');
    return ctx.faults.view();
  });
  app.get('/_sim/systems', async () => ({ seed: ctx.seed, systems: ctx.urls() }));
  app.get('/_sim/estate', async (_req, reply) => reply.type('application/json').send(ctx.estateJson()));
  routes(new SystemRoutes(app, system), ctx);
  return app;
}

function outage(system: SystemName, until: number, now: number): HttpRefusal {
  return new HttpRefusal(
    503,
    `the ${system} system is down until ${new Date(until).toISOString()}`,
    'outage',
    {
      until: new Date(until).toISOString(),
      retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)),
    },
  );
}
