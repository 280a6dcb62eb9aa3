import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock, Logger } from '../core/index.js';
import { canonicalJson, type GovernanceStore } from '../store/index.js';
import { HttpProblem } from './problem.js';

/** The header a client sends to make a POST safe to repeat, and the one marking a replayed answer. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';

const KEY = /^[\x21-\x7e]{1,255}$/;
/** Response headers worth replaying; the rest (dates, rate-limit counters) belong to the new response. */
const KEPT_HEADERS = ['content-type', 'location'];

interface Pending {
  slot: string;
  key: string;
  hash: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: Pending;
  }
  interface FastifyContextConfig {
    /** What of a response is kept for replay, when not all of it may be stored (a key's secret). */
    replayable?: (body: unknown) => unknown;
  }
}

/**
 * What makes two requests "the same": method, path and query, the parsed body in canonical form, and
 * CloudEvents attribute headers (binary-mode events carry their id and type there).
 */
function requestHash(req: FastifyRequest): string {
  const h = createHash('sha256').update(req.method).update(' ').update(req.url).update('\n');
  for (const name of Object.keys(req.headers).sort())
    if (name.startsWith('ce-')) h.update(`${name}:${String(req.headers[name])}\n`);
  return h.update(canonicalJson(req.body ?? null)).digest('hex');
}

/**
 * `Idempotency-Key` on every POST: the first response to a key is kept (per principal) and replayed
 * for a repeat of the same request with the header `Idempotent-Replayed: true`; the same key with a
 * different request is refused with 422, and a repeat while the first is still running with 409.
 * Responses are kept for `ttlMs` and pruned periodically.
 */
export function idempotency(
  app: FastifyInstance,
  opts: { governance: GovernanceStore; clock: Clock; ttlMs: number; log: Logger },
): void {
  const { governance, clock, ttlMs, log } = opts;
  const inFlight = new Set<string>();

  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.method !== 'POST') return;
    const raw = req.headers[IDEMPOTENCY_HEADER];
    if (raw === undefined || !req.principal) return;
    const key = Array.isArray(raw) ? raw[0]! : raw;
    if (!KEY.test(key))
      throw new HttpProblem(400, 'Idempotency-Key must be 1 to 255 visible ASCII characters');
    const principal = req.principal.name;
    const hash = requestHash(req);
    const stored = await governance.getIdempotent(principal, key);
    if (stored && stored.createdAt + ttlMs > clock.now()) {
      if (stored.requestHash !== hash)
        throw new HttpProblem(
          422,
          `Idempotency-Key "${key}" was already used for a different request; use a new key for a new request`,
          {},
          'idempotency-key-reused',
        );
      reply.code(stored.status).headers({ ...stored.headers, [REPLAYED_HEADER]: 'true' });
      return reply.send(stored.body);
    }
    const slot = `${principal}\n${key}`;
    if (inFlight.has(slot))
      throw new HttpProblem(
        409,
        `a request with Idempotency-Key "${key}" is still being processed; retry shortly`,
      );
    inFlight.add(slot);
    req.idempotency = { slot, key, hash };
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const p = req.idempotency;
    if (!p || !req.principal) return payload;
    const status = reply.statusCode;
    // server errors and rate limits say nothing about the request itself: a retry should run it again
    if (status >= 500 || status === 429) return payload;
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const v = reply.getHeader(name);
      if (v !== undefined) headers[name] = String(v);
    }
    let body: unknown = payload;
    if (typeof payload === 'string') {
      try {
        body = JSON.parse(payload);
      } catch {
        body = payload;
      }
    }
    const keep = req.routeOptions.config.replayable;
    if (keep) body = keep(body);
    try {
      await governance.putIdempotent({
        key: p.key,
        principal: req.principal.name,
        requestHash: p.hash,
        status,
        headers,
        body,
        createdAt: clock.now(),
      });
    } catch (err) {
      log.warn('remembering an idempotent response failed', { requestId: req.id, error: String(err) });
    }
    return payload;
  });

  app.addHook('onResponse', async (req) => {
    if (req.idempotency) inFlight.delete(req.idempotency.slot);
  });
  app.addHook('onRequestAbort', async (req) => {
    if (req.idempotency) inFlight.delete(req.idempotency.slot);
  });

  const prune = () =>
    governance
      .pruneIdempotent(clock.now() - ttlMs)
      .catch((err) => log.warn('pruning idempotency keys failed', { error: String(err) }));
  const timer = setInterval(prune, Math.min(ttlMs, 3600_000));
  timer.unref();
  app.addHook('onReady', async () => {
    await prune();
  });
  app.addHook('onClose', async () => clearInterval(timer));
}
