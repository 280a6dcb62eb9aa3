import { Type } from '@sinclair/typebox';
import { DeadLetterQueue } from '../../connectors/index.js';
import {
  ConflictError,
  errorMessage,
  isRetryable,
  NotFoundError,
  ValidationError,
} from '../../core/index.js';
import type { DeadLetterQuery } from '../../store/index.js';
import { recordChange } from '../audit.js';
import { type Api, type ApiDeps, actorOf, secured } from '../context.js';
import { HttpProblem } from '../problem.js';
import { Page, problems } from '../schemas.js';

const Outcome = Type.Union([
  Type.Literal('ok'),
  Type.Literal('failed'),
  Type.Literal('timeout'),
  Type.Literal('rejected'),
]);

const DeadLetter = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('call'), Type.Literal('message')]),
  system: Type.String(),
  operation: Type.String(),
  idempotencyKey: Type.Optional(Type.String()),
  payload: Type.Unknown({ description: 'The input of the call, or the message, as it will be replayed' }),
  error: Type.Object({
    message: Type.String(),
    type: Type.Optional(Type.String()),
    status: Type.Optional(Type.Integer()),
    retryable: Type.Optional(Type.Boolean()),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
  attempts: Type.Array(
    Type.Object({
      at: Type.Integer(),
      attempt: Type.Integer(),
      outcome: Outcome,
      status: Type.Optional(Type.Integer()),
      latencyMs: Type.Optional(Type.Integer()),
      error: Type.Optional(Type.String()),
    }),
  ),
  createdAt: Type.Integer(),
  status: Type.Union([Type.Literal('held'), Type.Literal('replayed'), Type.Literal('discarded')]),
  replays: Type.Array(
    Type.Object({
      at: Type.Integer(),
      by: Type.String(),
      ok: Type.Boolean(),
      error: Type.Optional(Type.String()),
    }),
  ),
  editedAt: Type.Optional(Type.Integer()),
  editedBy: Type.Optional(Type.String()),
  resolvedAt: Type.Optional(Type.Integer()),
  resolvedBy: Type.Optional(Type.String()),
});

const EntryId = Type.Object({ id: Type.String({ minLength: 1 }) });

/** The dead-letter queue: list, inspect, edit, replay, discard. Every change is audited. */
export function dlqRoutes(app: Api, deps: ApiDeps): void {
  const { governance, clock } = deps;
  const dlq = deps.connectors?.dlq ?? new DeadLetterQueue(deps.engine.store.connectors, clock, undefined);
  const target = (id: string) => ({ kind: 'dead-letter', id });

  app.get(
    '/v1/dlq',
    {
      config: { permission: 'dlq:read' },
      schema: {
        tags: ['connectors'],
        summary: 'Calls and messages that failed for good, newest first',
        description: 'Pass `next` from a page as `before` to get the next page.',
        security: secured,
        querystring: Type.Object(
          {
            status: Type.Optional(
              Type.Union([Type.Literal('held'), Type.Literal('replayed'), Type.Literal('discarded')]),
            ),
            system: Type.Optional(Type.String()),
            kind: Type.Optional(Type.Union([Type.Literal('call'), Type.Literal('message')])),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
            before: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(DeadLetter), ...problems() },
      },
    },
    async (req) => {
      const q = req.query;
      const query: DeadLetterQuery = { limit: q.limit };
      if (q.status) query.status = q.status;
      if (q.system) query.system = q.system;
      if (q.kind) query.kind = q.kind;
      if (q.before) query.before = q.before;
      const items = await dlq.list(query);
      const last = items.at(-1);
      return items.length === q.limit && last ? { items, next: last.id } : { items };
    },
  );

  app.get(
    '/v1/dlq/:id',
    {
      config: { permission: 'dlq:read' },
      schema: {
        tags: ['connectors'],
        summary: 'One dead letter with its payload, error, attempts and replays',
        security: secured,
        params: EntryId,
        response: { 200: DeadLetter, ...problems(404) },
      },
    },
    async (req) => dlq.get(req.params.id),
  );

  app.put(
    '/v1/dlq/:id',
    {
      config: { permission: 'dlq:manage' },
      schema: {
        tags: ['connectors'],
        summary: 'Edit the payload of a held dead letter before replaying it',
        security: secured,
        params: EntryId,
        body: Type.Object({ payload: Type.Unknown() }, { additionalProperties: false }),
        response: { 200: DeadLetter, ...problems(404, 409) },
      },
    },
    async (req) => {
      if (!('payload' in (req.body as object))) throw new ValidationError('body /payload is required');
      const { before, after } = await dlq.edit(req.params.id, req.body.payload, req.principal!.name);
      await recordChange(governance, actorOf(req), clock.now(), {
        action: 'dlq.edited',
        target: target(after.id),
        before: { payload: before.payload },
        after: { payload: after.payload },
      });
      return after;
    },
  );

  app.post(
    '/v1/dlq/:id/replay',
    {
      config: { permission: 'dlq:manage' },
      schema: {
        tags: ['connectors'],
        summary: 'Run a held dead letter again, with its original idempotency key',
        description:
          'Success marks it replayed. When it fails again the attempt is recorded on the entry, which stays held: 502 when the system is still unavailable, 422 when it refuses the payload.',
        security: secured,
        params: EntryId,
        response: {
          200: Type.Object({ status: Type.Literal('replayed'), result: Type.Unknown(), entry: DeadLetter }),
          ...problems(404, 409, 422, 502),
        },
      },
    },
    async (req) => {
      const id = req.params.id;
      try {
        const { entry, result } = await dlq.replay(id, req.principal!.name);
        await recordChange(governance, actorOf(req), clock.now(), {
          action: 'dlq.replayed',
          target: target(id),
          before: { status: 'held' },
          after: { status: entry.status },
        });
        return { status: 'replayed' as const, result, entry };
      } catch (err) {
        if (err instanceof ConflictError || err instanceof NotFoundError) throw err;
        await recordChange(governance, actorOf(req), clock.now(), {
          action: 'dlq.replay_failed',
          target: target(id),
          after: { status: 'held', error: errorMessage(err) },
        });
        throw new HttpProblem(isRetryable(err) ? 502 : 422, `the replay failed: ${errorMessage(err)}`, {
          entry: await dlq.get(id),
        });
      }
    },
  );

  app.post(
    '/v1/dlq/:id/discard',
    {
      config: { permission: 'dlq:manage' },
      schema: {
        tags: ['connectors'],
        summary: 'Give up on a held dead letter; it stays listed as discarded',
        security: secured,
        params: EntryId,
        response: { 200: DeadLetter, ...problems(404, 409) },
      },
    },
    async (req) => {
      const entry = await dlq.discard(req.params.id, req.principal!.name);
      await recordChange(governance, actorOf(req), clock.now(), {
        action: 'dlq.discarded',
        target: target(entry.id),
        before: { status: 'held' },
        after: { status: entry.status },
      });
      return entry;
    },
  );
}
