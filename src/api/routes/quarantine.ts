import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { ConflictError, NotFoundError } from '../../core/index.js';
import type { QuarantineQuery, QuarantineRecord } from '../../store/index.js';
import { recordChange } from '../audit.js';
import { type Api, type ApiDeps, actorOf, secured } from '../context.js';
import { decodeEvent } from '../envelope.js';
import { check, commit, HTTP_ORIGIN } from '../ingest.js';
import { HttpProblem } from '../problem.js';
import { Page, problems, QuarantineEntry, QuarantineStatus, ref } from '../schemas.js';

const EntryId = Type.Object({ id: Type.String({ minLength: 1 }) });

/** Events that failed validation: list, correct, replay, discard. */
export function quarantineRoutes(app: Api, deps: ApiDeps): void {
  const { governance, clock } = deps;

  /**
   * Entries the bus quarantined (an inbound message its router could not apply) are replayed by the
   * bus, which applies them as it would have; entries from this API go through ingestion again.
   */
  const replayThroughBus = async (req: FastifyRequest, entry: QuarantineRecord) => {
    if (!deps.bus)
      throw new ConflictError(
        `quarantined event ${entry.id} came from ${entry.origin}; replay it where the event bus runs`,
      );
    const result = await deps.bus.replay(entry.id, req.principal!.name);
    const after = (await governance.getQuarantined(entry.id))!;
    await recordChange(governance, actorOf(req), clock.now(), {
      action: result.quarantined ? 'quarantine.replay_failed' : 'quarantine.replayed',
      target: { kind: 'quarantine', id: entry.id },
      before: { status: entry.status },
      after: { status: after.status, ...(result.quarantined ? { reason: result.quarantined } : {}) },
    });
    if (result.quarantined) throw new HttpProblem(422, `the event still fails: ${result.quarantined}`);
    return { status: result.duplicate ? ('duplicate' as const) : ('accepted' as const), entry: after };
  };

  const held = async (id: string): Promise<QuarantineRecord> => {
    const entry = await governance.getQuarantined(id);
    if (!entry) throw new NotFoundError('quarantined event', id);
    if (entry.status !== 'held')
      throw new ConflictError(`quarantined event ${id} was already ${entry.status}`);
    return entry;
  };

  app.get(
    '/v1/quarantine',
    {
      config: { permission: 'quarantine:read' },
      schema: {
        tags: ['events'],
        summary: 'Events that could not be accepted, newest first',
        description: 'Pass `next` from a page as `before` to get the next page.',
        security: secured,
        querystring: Type.Object(
          {
            status: Type.Optional(QuarantineStatus),
            type: Type.Optional(Type.String()),
            origin: Type.Optional(Type.String({ examples: ['http'] })),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
            before: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(ref(QuarantineEntry)), ...problems() },
      },
    },
    async (req) => {
      const q = req.query;
      const query: QuarantineQuery = { limit: q.limit };
      if (q.status) query.status = q.status;
      if (q.type) query.type = q.type;
      if (q.origin) query.origin = q.origin;
      if (q.before) query.before = q.before;
      const items = await governance.listQuarantined(query);
      const last = items.at(-1);
      return items.length === q.limit && last ? { items, next: last.id } : { items };
    },
  );

  app.get(
    '/v1/quarantine/:id',
    {
      config: { permission: 'quarantine:read' },
      schema: {
        tags: ['events'],
        summary: 'One quarantined event with its reasons and replay attempts',
        security: secured,
        params: EntryId,
        response: { 200: ref(QuarantineEntry), ...problems(404) },
      },
    },
    async (req) => {
      const entry = await governance.getQuarantined(req.params.id);
      if (!entry) throw new NotFoundError('quarantined event', req.params.id);
      return entry;
    },
  );

  app.put(
    '/v1/quarantine/:id',
    {
      config: { permission: 'quarantine:manage' },
      schema: {
        tags: ['events'],
        summary: 'Correct a held event before replaying it',
        security: secured,
        params: EntryId,
        body: Type.Object(
          {
            payload: Type.Unknown({
              description: 'The corrected event, in structured CloudEvents or plain form',
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: ref(QuarantineEntry), ...problems(404, 409) },
      },
    },
    async (req) => {
      const before = await held(req.params.id);
      const entry = await governance.correctQuarantined(
        before.id,
        req.body.payload,
        req.principal!.name,
        clock.now(),
      );
      await recordChange(governance, actorOf(req), clock.now(), {
        action: 'quarantine.corrected',
        target: { kind: 'quarantine', id: entry.id },
        before: { payload: before.payload },
        after: { payload: entry.payload },
      });
      return entry;
    },
  );

  app.post(
    '/v1/quarantine/:id/replay',
    {
      config: { permission: 'quarantine:manage' },
      schema: {
        tags: ['events'],
        summary: 'Validate a held event again and accept it if it now passes',
        description:
          'Refused with 422 and the issues when it still fails; the attempt is recorded either way.',
        security: secured,
        params: EntryId,
        response: {
          200: Type.Object({
            status: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate')]),
            contractVersion: Type.Optional(
              Type.Integer({ description: 'For events that came through this API' }),
            ),
            entry: ref(QuarantineEntry),
          }),
          ...problems(404, 409, 422),
        },
      },
    },
    async (req) => {
      const entry = await held(req.params.id);
      const by = req.principal!.name;
      if (entry.origin !== HTTP_ORIGIN) return replayThroughBus(req, entry);
      const receivedAt = clock.now();
      const ctx = {
        origin: entry.origin,
        receivedAt,
        ...(entry.publishedBy ? { publishedBy: entry.publishedBy } : {}),
      };
      const [checked] = await check(deps, [decodeEvent(entry.payload)], ctx);
      if (!checked!.ok) {
        const { reason, issues } = checked!.entry;
        const after = await governance.recordReplay(entry.id, { at: receivedAt, by, ok: false, reason });
        await recordChange(governance, actorOf(req), receivedAt, {
          action: 'quarantine.replay_failed',
          target: { kind: 'quarantine', id: entry.id },
          after: { status: after.status, reason },
        });
        throw new HttpProblem(422, `the event still fails: ${reason}`, {
          errors: issues.map((i) => ({ pointer: i.path, detail: i.message })),
        });
      }
      const [outcome] = await commit(deps, [checked!]);
      const after = await governance.recordReplay(entry.id, { at: receivedAt, by, ok: true });
      await recordChange(governance, actorOf(req), receivedAt, {
        action: 'quarantine.replayed',
        target: { kind: 'quarantine', id: entry.id },
        before: { status: entry.status },
        after: { status: after.status, event: { source: checked!.event.source, id: checked!.event.id } },
      });
      return {
        status: outcome!.status as 'accepted' | 'duplicate',
        contractVersion: checked!.event.contractVersion,
        entry: after,
      };
    },
  );

  app.post(
    '/v1/quarantine/:id/discard',
    {
      config: { permission: 'quarantine:manage' },
      schema: {
        tags: ['events'],
        summary: 'Give up on a held event; it stays listed as discarded',
        security: secured,
        params: EntryId,
        response: { 200: ref(QuarantineEntry), ...problems(404, 409) },
      },
    },
    async (req) => {
      const before = await held(req.params.id);
      const entry = await governance.discardQuarantined(before.id, req.principal!.name, clock.now());
      await recordChange(governance, actorOf(req), clock.now(), {
        action: 'quarantine.discarded',
        target: { kind: 'quarantine', id: entry.id },
        before: { status: before.status },
        after: { status: entry.status },
      });
      return entry;
    },
  );
}
