import { Type } from '@sinclair/typebox';
import { authorize } from '../auth.js';
import { type Api, type ApiDeps, secured } from '../context.js';
import { decodeRequest, shortType } from '../envelope.js';
import { type Candidate, check, commit, HTTP_ORIGIN, type Outcome } from '../ingest.js';
import { forbidden } from '../problem.js';
import { holdsAny } from '../roles.js';
import { Issue, problems } from '../schemas.js';

const Attributes = {
  id: Type.String({ minLength: 1, description: 'Unique per source; a repeat is a duplicate' }),
  source: Type.String({ minLength: 1, description: 'Who produced it, for example /shopify/store-42' }),
  type: Type.String({ minLength: 1, examples: ['com.baton.retail.order.created'] }),
  subject: Type.Optional(Type.String({ description: 'The business key, for example the order id' })),
  time: Type.Optional(Type.String({ format: 'date-time' })),
  dataschema: Type.Optional(
    Type.String({ description: 'The contract version: urn:baton:contract:<type>:v<n>; default the latest' }),
  ),
  data: Type.Unknown({ description: 'The payload, validated against the contract' }),
};

const CloudEvent = Type.Object(
  {
    specversion: Type.Literal('1.0'),
    ...Attributes,
    datacontenttype: Type.Optional(Type.String({ examples: ['application/json'] })),
    correlationid: Type.Optional(Type.String()),
    traceparent: Type.Optional(Type.String({ description: 'W3C trace context' })),
  },
  { description: 'A CloudEvents 1.0 event in structured JSON mode' },
);

const PlainEvent = Type.Object(
  {
    ...Attributes,
    type: Type.String({ minLength: 1, examples: ['order.created'] }),
  },
  { description: 'An event without the CloudEvents envelope; the type may be short (order.created)' },
);

const Result = Type.Object({
  index: Type.Integer({ description: 'Position in the request' }),
  status: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate'), Type.Literal('quarantined')]),
  id: Type.Optional(Type.String()),
  source: Type.Optional(Type.String()),
  type: Type.Optional(Type.String()),
  contractVersion: Type.Optional(Type.Integer()),
  quarantineId: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  issues: Type.Optional(Type.Array(Issue)),
});

const IngestResponse = Type.Object({
  accepted: Type.Integer(),
  duplicates: Type.Integer(),
  quarantined: Type.Integer(),
  results: Type.Array(Result),
});

/** The type an event claims, even when its envelope is otherwise broken. */
function claimedType(c: Candidate): string | undefined {
  if (c.event) return c.event.type;
  const t = (c.payload as { type?: unknown } | null)?.type;
  return typeof t === 'string' && t.length > 0 ? shortType(t) : undefined;
}

function summarise(outcomes: Outcome[]) {
  const count = (s: Outcome['status']) => outcomes.filter((o) => o.status === s).length;
  return {
    accepted: count('accepted'),
    duplicates: count('duplicate'),
    quarantined: count('quarantined'),
    results: outcomes.map((o, index) => ({ index, ...o })),
  };
}

/** Event ingestion: one route for every CloudEvents HTTP mode and plain JSON. */
export function eventRoutes(app: Api, deps: ApiDeps): void {
  const { config, clock } = deps;
  app.post(
    '/v1/events',
    {
      // the body is documented, but checked event by event: a bad event is quarantined, not the batch refused
      validatorCompiler: (def) => (def.httpPart === 'body' ? () => true : deps.validator(def)),
      schema: {
        tags: ['events'],
        summary: 'Publish events: single, batch or binary CloudEvents, or plain JSON',
        description: `Each event is validated against its contract version (named by \`dataschema\`, else the latest).
Valid events are stored durably before the answer, idempotent on \`source\` + \`id\` (a repeat is a \`duplicate\`).
Invalid ones are kept in the quarantine with the reasons, to be corrected and replayed; a batch is accepted in part.
Binary mode: the attributes travel as \`ce-*\` headers and the body is the data. Needs \`events:publish\` for every type sent.
At most ${config.api.maxBatchEvents} events per request.`,
        security: secured,
        headers: Type.Object({
          'ce-specversion': Type.Optional(Type.String({ description: 'Binary mode: "1.0"' })),
          'ce-id': Type.Optional(Type.String()),
          'ce-source': Type.Optional(Type.String()),
          'ce-type': Type.Optional(Type.String()),
          'ce-subject': Type.Optional(Type.String()),
          'ce-time': Type.Optional(Type.String()),
          'ce-dataschema': Type.Optional(Type.String()),
        }),
        body: {
          content: {
            'application/cloudevents+json': { schema: CloudEvent },
            'application/cloudevents-batch+json': { schema: Type.Array(CloudEvent, { minItems: 1 }) },
            'application/json': {
              schema: Type.Union(
                [PlainEvent, Type.Array(Type.Union([PlainEvent, CloudEvent]), { minItems: 1 })],
                {
                  description: 'A plain event, a batch of events, or the data of a binary-mode event',
                },
              ),
            },
          },
        },
        response: { 202: IngestResponse, ...problems(413, 415, 422) },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      const candidates = decodeRequest(req.headers, req.body, config.api.maxBatchEvents);
      const types = [...new Set(candidates.map(claimedType).filter((t): t is string => t !== undefined))];
      if (types.length === 0 && !holdsAny(p, 'events:publish'))
        throw forbidden(`${p.name} (roles ${p.roles.join(', ')}) may not publish events`);
      for (const t of types) authorize(req, 'events:publish', t);
      const checked = await check(deps, candidates, {
        origin: HTTP_ORIGIN,
        publishedBy: p.name,
        receivedAt: clock.now(),
      });
      const outcomes = await commit(deps, checked);
      return reply.code(202).send(summarise(outcomes));
    },
  );
}
