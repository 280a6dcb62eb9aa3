import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { POS_COLUMNS } from '../../connectors/index.js';
import { type Api, type ApiDeps, secured } from '../context.js';
import { ingestPosBatch } from '../pos.js';
import { HttpProblem } from '../problem.js';
import { Issue, problems } from '../schemas.js';

const RowIssue = Type.Object({ column: Type.Optional(Type.String()), message: Type.String() });

const PosReport = Type.Object({
  rows: Type.Integer({ description: 'Data rows read' }),
  sales: Type.Integer({ description: 'Receipts whose rows were all good' }),
  accepted: Type.Integer(),
  duplicates: Type.Integer(),
  quarantined: Type.Integer({ description: 'Rows kept in quarantine' }),
  errors: Type.Array(Type.Object({ line: Type.Integer(), issues: Type.Array(RowIssue) })),
  results: Type.Array(
    Type.Object({
      receipt: Type.String(),
      storeId: Type.String(),
      lines: Type.Array(Type.Integer()),
      status: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate'), Type.Literal('quarantined')]),
      id: Type.Optional(Type.String()),
      quarantineId: Type.Optional(Type.String()),
      reason: Type.Optional(Type.String()),
      issues: Type.Optional(Type.Array(Issue)),
    }),
  ),
});

/** POS sale batches posted as CSV. */
export function posRoutes(app: Api, deps: ApiDeps): void {
  app.register(async (scope: FastifyInstance) => {
    scope.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string' }, (_req, body, done) =>
      done(null, body),
    );
    const api = scope as unknown as Api;
    api.post(
      '/v1/pos/batches',
      {
        config: { permission: 'pos:ingest' },
        validatorCompiler: (def) => (def.httpPart === 'body' ? () => true : deps.validator(def)),
        schema: {
          tags: ['events'],
          summary: 'Post a batch of POS sales as CSV',
          description: `A header row, then one row per receipt line. Columns: ${POS_COLUMNS.join(', ')}
(required: receipt, sold_at, sku, quantity, unit_price, currency, and store_id unless \`store\` names the store of the batch).
Each row is checked; bad rows are reported by line and quarantined with the reason, and a receipt with a bad row is held back whole.
Good receipts become order.created events (channel pos, mapping pos-csv-sale), idempotent on store and receipt. Needs \`pos:ingest\`.`,
          security: secured,
          querystring: Type.Object({
            source: Type.String({
              pattern: '^[a-z0-9][a-z0-9-]{0,62}$',
              description: 'The POS system sending; events get the source /pos/<source>',
            }),
            store: Type.Optional(
              Type.String({
                pattern: '^ST-[A-Z0-9-]{1,20}$',
                description: 'The store of rows without store_id',
              }),
            ),
            batch: Type.Optional(
              Type.String({
                maxLength: 200,
                description: 'A name for the batch, kept with quarantined rows',
              }),
            ),
          }),
          body: { content: { 'text/csv': { schema: Type.String({ description: 'The CSV file' }) } } },
          response: { 202: PosReport, ...problems(400, 413, 415) },
        },
      },
      async (req, reply) => {
        if (typeof req.body !== 'string') throw new HttpProblem(415, 'send the batch as text/csv');
        const { source, store, batch } = req.query;
        const report = await ingestPosBatch(
          deps,
          req.body,
          { source, ...(store ? { storeId: store } : {}), ...(batch ? { batch } : {}) },
          { publishedBy: req.principal!.name, receivedAt: deps.clock.now() },
        );
        return reply.code(202).send(report);
      },
    );
  });
}
