import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { TaskQuery, TaskRecord } from '../../store/index.js';
import { recordChange } from '../audit.js';
import { authorize } from '../auth.js';
import { type Api, type ApiDeps, actorOf, secured } from '../context.js';
import type { Permission } from '../roles.js';
import { problems, ref, Task, TaskStatus } from '../schemas.js';

const TaskId = Type.Object({ id: Type.String({ minLength: 1 }) });
const Person = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });

const taskView = (t: TaskRecord) => {
  const v: Record<string, unknown> = { status: t.status, role: t.role };
  if (t.assignee !== undefined) v.assignee = t.assignee;
  if (t.claimedBy !== undefined) v.claimedBy = t.claimedBy;
  if (t.outcome !== undefined) v.outcome = t.outcome;
  if (t.values !== undefined) v.values = t.values;
  if (t.decidedBy !== undefined) v.decidedBy = t.decidedBy;
  return v;
};

/** The task inbox: listing by role, claiming, completing and delegating. */
export function taskRoutes(app: Api, { engine, governance, clock }: ApiDeps): void {
  /** Loads a task and checks the permission for its role. */
  const guarded = async (req: FastifyRequest, id: string, permission: Permission) => {
    const task = await engine.getTask(id);
    authorize(req, permission, task.role);
    return task;
  };

  app.get(
    '/v1/tasks',
    {
      schema: {
        tags: ['tasks'],
        summary: 'The task inbox, by role, assignee and status (default: open and claimed)',
        description:
          'Needs `tasks:read` for the role asked for; without `role`, for every role (admins and operators).',
        security: secured,
        querystring: Type.Object(
          {
            role: Type.Optional(Type.String({ minLength: 1 })),
            assignee: Type.Optional(Type.String({ minLength: 1 })),
            status: Type.Optional(Type.Array(TaskStatus, { description: 'Repeat for several' })),
            overdue: Type.Optional(Type.Boolean({ description: 'Only tasks past their due time' })),
            runId: Type.Optional(Type.String()),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(ref(Task)) }), ...problems() },
      },
    },
    async (req) => {
      const q = req.query;
      authorize(req, 'tasks:read', q.role ?? '*');
      const query: TaskQuery = {
        status: (q.status as TaskQuery['status']) ?? ['open', 'claimed'],
        limit: q.limit,
      };
      if (q.role) query.role = q.role;
      if (q.assignee) query.assignee = q.assignee;
      if (q.runId) query.runId = q.runId;
      return { items: q.overdue ? await engine.overdueTasks(query) : await engine.listTasks(query) };
    },
  );

  app.get(
    '/v1/tasks/:id',
    {
      schema: {
        tags: ['tasks'],
        summary: 'One task',
        security: secured,
        params: TaskId,
        response: { 200: ref(Task), ...problems(404) },
      },
    },
    (req) => guarded(req, req.params.id, 'tasks:read'),
  );

  app.post(
    '/v1/tasks/:id/claim',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Take a task, so colleagues see it is being handled',
        description: 'Needs `tasks:complete` for the task role; the key principal becomes the claimant.',
        security: secured,
        params: TaskId,
        response: { 200: ref(Task), ...problems(404, 409, 422) },
      },
    },
    async (req) => {
      const before = await guarded(req, req.params.id, 'tasks:complete');
      const task = await engine.claimTask(before.id, req.principal!.name);
      await recordChange(governance, actorOf(req), clock.now(), {
        action: 'task.claimed',
        target: { kind: 'task', id: task.id },
        before: taskView(before),
        after: taskView(task),
      });
      return task;
    },
  );

  app.post(
    '/v1/tasks/:id/complete',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Decide a task with one of its outcomes; the waiting run resumes',
        description:
          'Needs `tasks:complete` for the task role; the key principal is recorded as the decider.',
        security: secured,
        params: TaskId,
        body: Type.Object(
          {
            outcome: Type.String({ minLength: 1, description: 'One of the task outcomes' }),
            values: Type.Optional(
              Type.Record(Type.String(), Type.Unknown(), {
                description: 'Form values, checked against its schema',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: ref(Task), ...problems(404, 409, 422) },
      },
    },
    async (req) => {
      const before = await guarded(req, req.params.id, 'tasks:complete');
      const task = await engine.completeTask(before.id, {
        outcome: req.body.outcome,
        values: req.body.values ?? {},
        by: req.principal!.name,
      });
      await recordChange(governance, actorOf(req), clock.now(), {
        action: 'task.completed',
        target: { kind: 'task', id: task.id },
        before: taskView(before),
        after: taskView(task),
      });
      return task;
    },
  );

  app.post(
    '/v1/tasks/:id/delegate',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Hand a task to another person',
        description: 'Needs `tasks:delegate` for the task role.',
        security: secured,
        params: TaskId,
        body: Type.Object({ to: Person }, { additionalProperties: false }),
        response: { 200: ref(Task), ...problems(404, 409, 422) },
      },
    },
    async (req) => {
      const before = await guarded(req, req.params.id, 'tasks:delegate');
      const task = await engine.delegateTask(before.id, { to: req.body.to, by: req.principal!.name });
      await recordChange(governance, actorOf(req), clock.now(), {
        action: 'task.delegated',
        target: { kind: 'task', id: task.id },
        before: taskView(before),
        after: taskView(task),
      });
      return task;
    },
  );
}
