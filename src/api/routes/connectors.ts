import { Type } from '@sinclair/typebox';
import { healthOf } from '../../connectors/index.js';
import type { CallQuery } from '../../store/index.js';
import { type Api, type ApiDeps, secured } from '../context.js';
import { Page, problems } from '../schemas.js';

const Breaker = Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('half-open')]);

const SystemHealth = Type.Object({
  system: Type.String(),
  status: Type.Union([
    Type.Literal('up'),
    Type.Literal('degraded'),
    Type.Literal('down'),
    Type.Literal('idle'),
  ]),
  windowMs: Type.Integer(),
  calls: Type.Integer({ description: 'Attempts in the window, by every process on the database' }),
  failures: Type.Integer(),
  errorRate: Type.Number(),
  p50Ms: Type.Optional(Type.Integer()),
  p99Ms: Type.Optional(Type.Integer()),
  breaker: Breaker,
  lastSuccessAt: Type.Optional(Type.Integer()),
  lastErrorAt: Type.Optional(Type.Integer()),
  lastError: Type.Optional(Type.String()),
});

const CallRecord = Type.Object({
  seq: Type.Integer(),
  system: Type.String(),
  operation: Type.String(),
  idempotencyKey: Type.Optional(Type.String()),
  attempt: Type.Integer(),
  outcome: Type.Union([
    Type.Literal('ok'),
    Type.Literal('failed'),
    Type.Literal('timeout'),
    Type.Literal('rejected'),
  ]),
  status: Type.Optional(Type.Integer()),
  latencyMs: Type.Integer(),
  error: Type.Optional(Type.String()),
  breaker: Breaker,
  at: Type.Integer(),
});

/** The health view of connected systems and their call records. */
export function connectorRoutes(app: Api, deps: ApiDeps): void {
  const store = deps.engine.store.connectors;

  app.get(
    '/v1/connectors',
    {
      config: { permission: 'connectors:read' },
      schema: {
        tags: ['connectors'],
        summary: 'Health of each connected system over a window',
        description:
          'Calls, error rate and p50/p99 latency from the call records of every process; the breaker as this process sees it (else as the latest record saw it).',
        security: secured,
        querystring: Type.Object(
          { windowMinutes: Type.Integer({ minimum: 1, maximum: 10_080, default: 15 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(SystemHealth) }), ...problems() },
      },
    },
    async (req) => {
      const windowMs = req.query.windowMinutes * 60_000;
      const items = deps.connectors
        ? await deps.connectors.health({ windowMs })
        : await healthOf(store, { now: deps.clock.now(), windowMs });
      return { items };
    },
  );

  app.get(
    '/v1/connectors/:system/calls',
    {
      config: { permission: 'connectors:read' },
      schema: {
        tags: ['connectors'],
        summary: 'Recent attempts made to one system, newest first',
        description: 'Pass `next` from a page as `beforeSeq` to get the next page.',
        security: secured,
        params: Type.Object({ system: Type.String({ minLength: 1 }) }),
        querystring: Type.Object(
          {
            operation: Type.Optional(Type.String()),
            idempotencyKey: Type.Optional(Type.String()),
            beforeSeq: Type.Optional(Type.Integer({ minimum: 1 })),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(CallRecord, Type.Integer()), ...problems() },
      },
    },
    async (req) => {
      const q = req.query;
      const query: CallQuery = { system: req.params.system, limit: q.limit };
      if (q.operation) query.operation = q.operation;
      if (q.idempotencyKey) query.idempotencyKey = q.idempotencyKey;
      if (q.beforeSeq !== undefined) query.beforeSeq = q.beforeSeq;
      const items = await store.listCalls(query);
      const last = items.at(-1);
      return items.length === q.limit && last ? { items, next: last.seq } : { items };
    },
  );
}
