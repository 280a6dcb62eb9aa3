import { Type } from '@sinclair/typebox';
import type { AuditQuery } from '../../store/index.js';
import { verifyAuditChain } from '../audit.js';
import { type Api, type ApiDeps, secured } from '../context.js';
import { AuditRecord, Page, problems, ref } from '../schemas.js';

/** The audit log and its chain check. */
export function auditRoutes(app: Api, { governance }: ApiDeps): void {
  app.get(
    '/v1/audit',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'Audit records, oldest first, by actor, action, target and time',
        description: 'Pass `next` from a page as `afterSeq` to get the next page.',
        security: secured,
        querystring: Type.Object(
          {
            afterSeq: Type.Optional(Type.Integer({ minimum: 0 })),
            actor: Type.Optional(Type.String()),
            action: Type.Optional(Type.String({ examples: ['task.completed'] })),
            targetKind: Type.Optional(Type.String({ examples: ['run', 'task', 'key', 'contract'] })),
            targetId: Type.Optional(Type.String()),
            since: Type.Optional(Type.String({ format: 'date-time' })),
            until: Type.Optional(Type.String({ format: 'date-time' })),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(ref(AuditRecord), Type.Integer()), ...problems() },
      },
    },
    async (req) => {
      const q = req.query;
      const query: AuditQuery = { limit: q.limit };
      if (q.afterSeq !== undefined) query.afterSeq = q.afterSeq;
      if (q.actor) query.actor = q.actor;
      if (q.action) query.action = q.action;
      if (q.targetKind) query.targetKind = q.targetKind;
      if (q.targetId) query.targetId = q.targetId;
      if (q.since) query.since = Date.parse(q.since);
      if (q.until) query.until = Date.parse(q.until);
      const items = await governance.readAudit(query);
      const last = items.at(-1);
      return items.length === q.limit && last ? { items, next: last.seq } : { items };
    },
  );

  app.get(
    '/v1/audit/verify',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'Recompute the hash chain and report the first record that breaks it',
        security: secured,
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            checked: Type.Integer(),
            brokenAt: Type.Optional(Type.Integer()),
            reason: Type.Optional(Type.String()),
            lastHash: Type.String({ description: 'Hash of the last intact record' }),
          }),
          ...problems(),
        },
      },
    },
    () => verifyAuditChain(governance),
  );
}
