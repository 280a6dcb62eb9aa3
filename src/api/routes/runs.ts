import { Type } from '@sinclair/typebox';
import { ValidationError } from '../../core/index.js';
import type { RunQuery, RunRecord } from '../../store/index.js';
import { recordChange } from '../audit.js';
import { authorize } from '../auth.js';
import { type Api, type ApiDeps, actorOf, secured } from '../context.js';
import {
  HistoryRecord,
  JournalEntry,
  Page,
  problems,
  Run,
  RunStatus,
  ref,
  Tags,
  Workflow,
} from '../schemas.js';

const RunId = Type.Object({ id: Type.String({ minLength: 1 }) });
const runView = (r: RunRecord) => ({
  status: r.status,
  cancelRequested: r.cancelRequested,
  version: r.version,
});

/** Workflow definitions, starting runs, and searching and operating runs. */
export function runRoutes(app: Api, { engine, governance, clock }: ApiDeps): void {
  app.get(
    '/v1/workflows',
    {
      config: { permission: 'workflows:read' },
      schema: {
        tags: ['workflows'],
        summary: 'List the registered workflow definitions',
        security: secured,
        response: { 200: Type.Object({ items: Type.Array(ref(Workflow)) }), ...problems() },
      },
    },
    async () => ({
      items: engine.workflows().map((d) => ({
        name: d.name,
        version: d.version,
        key: d.key,
        queue: d.queue,
        input: (d.spec.input as Record<string, unknown> | undefined) ?? null,
      })),
    }),
  );

  app.post(
    '/v1/workflows/:name/runs',
    {
      schema: {
        tags: ['workflows'],
        summary: 'Start a run of a workflow',
        description:
          'Needs `runs:start` for the workflow name. With an `Idempotency-Key` header a repeated start returns the first run.',
        security: secured,
        params: Type.Object({ name: Type.String({ minLength: 1 }) }),
        body: Type.Object(
          {
            input: Type.Optional(
              Type.Unknown({ description: 'The start input; validated against the workflow input schema' }),
            ),
            version: Type.Optional(Type.Integer({ minimum: 1, description: 'Default: the latest version' })),
            tags: Type.Optional(Tags),
            startAt: Type.Optional(Type.String({ format: 'date-time', description: 'Start later' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: ref(Run), ...problems(404, 409, 422) },
      },
    },
    async (req, reply) => {
      const { name } = req.params;
      const p = authorize(req, 'runs:start', name);
      const b = req.body;
      const options: Parameters<typeof engine.startRun>[2] = {};
      if (b.version !== undefined) options.version = b.version;
      if (b.tags) options.tags = b.tags;
      if (b.startAt !== undefined) options.startAt = Date.parse(b.startAt);
      if (req.idempotency) options.idempotencyKey = `api:${p.name}:${req.idempotency.key}`;
      const run = await engine.startRun(name, b.input, options);
      await recordChange(governance, actorOf(req), clock.now(), {
        action: 'run.started',
        target: { kind: 'run', id: run.id },
        after: { workflow: run.workflow, version: run.version, status: run.status, tags: run.tags },
      });
      return reply.code(201).header('location', `/v1/runs/${run.id}`).send(run);
    },
  );

  app.get(
    '/v1/runs',
    {
      config: { permission: 'runs:read' },
      schema: {
        tags: ['runs'],
        summary: 'Search runs by status, workflow, version, tags and creation time',
        description: 'Newest first. Pass `next` from a page as `before` to get the next page.',
        security: secured,
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Array(RunStatus, { description: 'Repeat for several' })),
            workflow: Type.Optional(Type.String()),
            version: Type.Optional(Type.Integer({ minimum: 1 })),
            tag: Type.Optional(
              Type.Array(Type.String({ pattern: '^[^=]+=.*$' }), {
                description: 'key=value, for example orderId=SO-42; repeat for several',
              }),
            ),
            createdAfter: Type.Optional(Type.String({ format: 'date-time' })),
            createdBefore: Type.Optional(Type.String({ format: 'date-time' })),
            parentId: Type.Optional(Type.String()),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
            before: Type.Optional(Type.String({ description: 'Cursor: runs created before this run id' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(ref(Run)), ...problems() },
      },
    },
    async (req) => {
      const q = req.query;
      const query: RunQuery = { limit: q.limit };
      if (q.status) query.status = q.status as RunQuery['status'];
      if (q.workflow) query.workflow = q.workflow;
      if (q.version !== undefined) query.version = q.version;
      if (q.tag)
        query.tags = Object.fromEntries(
          q.tag.map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]),
        );
      if (q.createdAfter) query.createdAfter = Date.parse(q.createdAfter);
      if (q.createdBefore) query.createdBefore = Date.parse(q.createdBefore);
      if (q.parentId) query.parentId = q.parentId;
      if (q.before) query.before = q.before;
      const items = await engine.searchRuns(query);
      const last = items.at(-1);
      return items.length === q.limit && last ? { items, next: last.id } : { items };
    },
  );

  app.get(
    '/v1/runs/:id',
    {
      config: { permission: 'runs:read' },
      schema: {
        tags: ['runs'],
        summary: 'A run with its journal and history',
        security: secured,
        params: RunId,
        response: {
          200: Type.Object({
            run: ref(Run),
            journal: Type.Array(ref(JournalEntry)),
            history: Type.Array(ref(HistoryRecord)),
          }),
          ...problems(404),
        },
      },
    },
    async (req) => {
      const run = await engine.getRun(req.params.id);
      const [journal, history] = await Promise.all([engine.journal(run.id), engine.history(run.id)]);
      return { run, journal, history };
    },
  );

  /** Loads the run and checks `runs:operate` for its workflow. */
  const operable = async (req: Parameters<typeof authorize>[0], id: string) => {
    const run = await engine.getRun(id);
    authorize(req, 'runs:operate', run.workflow);
    return run;
  };

  app.post(
    '/v1/runs/:id/cancel',
    {
      schema: {
        tags: ['runs'],
        summary: 'Cancel a run: open tasks are cancelled, a running step is stopped',
        security: secured,
        params: RunId,
        body: Type.Object(
          { reason: Type.Optional(Type.String({ maxLength: 1000 })) },
          { additionalProperties: false },
        ),
        response: { 200: ref(Run), ...problems(404, 409, 422) },
      },
    },
    async (req) => {
      const before = await operable(req, req.params.id);
      const reason = req.body?.reason ?? `cancelled by ${req.principal?.name}`;
      const run = await engine.cancel(before.id, reason);
      await recordChange(governance, actorOf(req), clock.now(), {
        action: 'run.cancelled',
        target: { kind: 'run', id: run.id },
        before: runView(before),
        after: { ...runView(run), reason },
      });
      return run;
    },
  );

  app.post(
    '/v1/runs/:id/retry',
    {
      schema: {
        tags: ['runs'],
        summary: 'Re-run a failed run from its failed call, reusing the results recorded before it',
        security: secured,
        params: RunId,
        response: { 200: ref(Run), ...problems(404, 409, 422) },
      },
    },
    async (req) => {
      const before = await operable(req, req.params.id);
      const run = await engine.retry(before.id);
      await recordChange(governance, actorOf(req), clock.now(), {
        action: 'run.retried',
        target: { kind: 'run', id: run.id },
        before: runView(before),
        after: runView(run),
      });
      return run;
    },
  );

  app.post(
    '/v1/runs/:id/restart',
    {
      schema: {
        tags: ['runs'],
        summary: 'Re-run a run from a journal position, reusing the results recorded before it',
        security: secured,
        params: RunId,
        body: Type.Object(
          { from: Type.Integer({ minimum: 0, description: 'Journal position to run again from' }) },
          { additionalProperties: false },
        ),
        response: { 200: ref(Run), ...problems(404, 409, 422) },
      },
    },
    async (req) => {
      const before = await operable(req, req.params.id);
      if (!Number.isSafeInteger(req.body.from))
        throw new ValidationError('from must be a journal position', [
          { path: '/from', message: 'is too large' },
        ]);
      const run = await engine.restart(before.id, req.body.from);
      await recordChange(governance, actorOf(req), clock.now(), {
        action: 'run.restarted',
        target: { kind: 'run', id: run.id },
        before: runView(before),
        after: { ...runView(run), from: req.body.from },
      });
      return run;
    },
  );
}
