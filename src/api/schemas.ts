import { type Static, type TSchema, type TUnsafe, Type } from '@sinclair/typebox';
import { COMPATIBILITY_MODES } from '../contracts/index.js';
import { runStatuses } from '../store/index.js';
import { roleNames } from './roles.js';

/**
 * The shapes the API reads and writes, as TypeBox (JSON Schema 2020-12). Shared records carry an
 * `$id`; they are registered once and referenced, so OpenAPI lists them under `components.schemas`.
 */

/**
 * One of a fixed list of strings, as a plain `enum` (one clear error instead of one per literal). The
 * intersection lets the route type provider, which reads schemas structurally, infer the union.
 */
export const Enum = <T extends string>(values: readonly T[], options: Record<string, unknown> = {}) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...options }) as TUnsafe<T> & {
    type: 'string';
    enum: readonly [T, ...T[]];
  };

/** A reference to a shared schema that keeps its static type. */
export const ref = <T extends TSchema>(schema: T) => Type.Unsafe<Static<T>>(Type.Ref(schema.$id as string));

const Millis = (description: string) => Type.Integer({ description: `${description} (epoch ms)` });
const Json = (description: string) => Type.Unknown({ description });

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'URI naming the kind of problem' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String({ description: 'What was wrong, in one sentence' }),
    instance: Type.String({ description: 'The request path' }),
    requestId: Type.String(),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          pointer: Type.String({ description: 'JSON pointer of the offending value' }),
          detail: Type.String(),
          in: Type.Optional(Type.String({ description: 'query, params or headers; absent for the body' })),
        }),
      ),
    ),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details' },
);

const SerializedError = Type.Object(
  {
    name: Type.String(),
    message: Type.String(),
    code: Type.Optional(Type.String()),
    type: Type.Optional(Type.String()),
    retryable: Type.Optional(Type.Boolean()),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    stack: Type.Optional(Type.String()),
  },
  { $id: 'Error' },
);

export const RunStatus = Enum(runStatuses);

export const Tags = Type.Record(Type.String(), Type.String(), {
  description: 'Search attributes such as orderId, sku, storeId',
});

export const Run = Type.Object(
  {
    id: Type.String(),
    workflow: Type.String(),
    version: Type.Integer(),
    status: RunStatus,
    input: Json('The start input'),
    output: Type.Optional(Json('The result, once completed')),
    error: Type.Optional(ref(SerializedError)),
    idempotencyKey: Type.Optional(Type.String()),
    parentId: Type.Optional(Type.String()),
    parentPosition: Type.Optional(Type.Integer()),
    queue: Type.String(),
    concurrencyKey: Type.Optional(Type.String()),
    concurrencyLimit: Type.Optional(Type.Integer()),
    nextAt: Type.Optional(Millis('When the run is next runnable')),
    leaseOwner: Type.Optional(Type.String()),
    leaseUntil: Type.Optional(Type.Integer()),
    leaseToken: Type.Integer(),
    wakeSeq: Type.Integer(),
    cancelRequested: Type.Boolean(),
    claims: Type.Integer(),
    tags: Tags,
    createdAt: Millis('Created'),
    updatedAt: Millis('Last changed'),
    startedAt: Type.Optional(Type.Integer()),
    endedAt: Type.Optional(Type.Integer()),
  },
  { $id: 'Run' },
);

export const JournalEntry = Type.Object(
  {
    runId: Type.String(),
    position: Type.Integer(),
    kind: Type.String({ description: 'step, sleep, event, task, emit, child, decide or compensation' }),
    name: Type.String(),
    status: Enum(['pending', 'completed', 'failed'] as const),
    input: Type.Optional(Json('What the call asked for')),
    result: Type.Optional(Json('What it returned')),
    error: Type.Optional(ref(SerializedError)),
    deadline: Type.Optional(Type.Integer()),
    attempts: Type.Integer(),
    eventId: Type.Optional(Type.String()),
    startedAt: Type.Integer(),
    endedAt: Type.Optional(Type.Integer()),
  },
  { $id: 'JournalEntry' },
);

export const HistoryRecord = Type.Object(
  {
    id: Type.Integer(),
    runId: Type.String(),
    type: Type.String(),
    position: Type.Optional(Type.Integer()),
    at: Type.Integer(),
    data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { $id: 'HistoryRecord' },
);

export const TaskStatus = Enum(['open', 'claimed', 'completed', 'cancelled'] as const);

export const Task = Type.Object(
  {
    id: Type.String(),
    runId: Type.String(),
    position: Type.Integer(),
    kind: Type.String(),
    title: Type.String(),
    role: Type.String({ description: 'The function the task is routed to, for example finance' }),
    assignee: Type.Optional(Type.String()),
    data: Type.Optional(Json('Context for the person deciding')),
    form: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'JSON Schema of the values' }),
    ),
    outcomes: Type.Array(Type.String()),
    status: TaskStatus,
    dueAt: Type.Optional(Type.Integer()),
    escalateTo: Type.Optional(Type.String()),
    escalatedAt: Type.Optional(Type.Integer()),
    delegatedFrom: Type.Optional(Type.String()),
    claimedBy: Type.Optional(Type.String()),
    outcome: Type.Optional(Type.String()),
    values: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    decidedBy: Type.Optional(Type.String()),
    createdAt: Type.Integer(),
    updatedAt: Type.Integer(),
    completedAt: Type.Optional(Type.Integer()),
  },
  { $id: 'Task' },
);

export const Workflow = Type.Object(
  {
    name: Type.String(),
    version: Type.Integer(),
    key: Type.String({ description: 'name@version' }),
    queue: Type.String(),
    input: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
      description: 'JSON Schema of the start input, when the workflow declares one',
    }),
  },
  { $id: 'Workflow' },
);

export const RoleName = Enum(roleNames, { description: 'A role from the roles table' });

export const ApiKey = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    prefix: Type.String({ description: 'The first characters of the key, to tell keys apart' }),
    principal: Type.String(),
    roles: Type.Array(Type.String()),
    scopes: Type.Array(Type.String()),
    createdAt: Type.Integer(),
    createdBy: Type.Optional(Type.String()),
    revokedAt: Type.Optional(Type.Integer()),
    revokedBy: Type.Optional(Type.String()),
    expiresAt: Type.Optional(Type.Integer()),
    lastUsedAt: Type.Optional(Type.Integer()),
  },
  { $id: 'ApiKey' },
);

export const AuditRecord = Type.Object(
  {
    seq: Type.Integer(),
    at: Type.Integer(),
    actor: Type.String(),
    action: Type.String({ examples: ['contract.registered', 'key.revoked', 'task.completed'] }),
    target: Type.Object({ kind: Type.String(), id: Type.String() }),
    before: Type.Optional(Json('The state before the change')),
    after: Type.Optional(Json('The state after the change')),
    requestId: Type.Optional(Type.String()),
    prevHash: Type.String(),
    hash: Type.String(),
  },
  { $id: 'AuditRecord' },
);

export const Issue = Type.Object({ path: Type.String(), message: Type.String() });

export const QuarantineStatus = Enum(['held', 'replayed', 'discarded'] as const);

export const QuarantineEntry = Type.Object(
  {
    id: Type.String(),
    origin: Type.String(),
    reason: Type.String(),
    issues: Type.Array(Issue),
    payload: Json('The event as received'),
    type: Type.Optional(Type.String()),
    eventId: Type.Optional(Type.String()),
    source: Type.Optional(Type.String()),
    receivedAt: Type.Integer(),
    publishedBy: Type.Optional(Type.String()),
    status: QuarantineStatus,
    attempts: Type.Array(
      Type.Object({
        at: Type.Integer(),
        by: Type.String(),
        ok: Type.Boolean(),
        reason: Type.Optional(Type.String()),
      }),
    ),
    resolvedAt: Type.Optional(Type.Integer()),
    resolvedBy: Type.Optional(Type.String()),
  },
  { $id: 'QuarantineEntry' },
);

export const CompatibilityMode = Enum(COMPATIBILITY_MODES);

export const Lifecycle = Enum(['draft', 'active', 'deprecated', 'retired'] as const);

export const ContractType = Type.Object(
  {
    type: Type.String({ examples: ['order.created'] }),
    owner: Type.String(),
    description: Type.String(),
    compatibility: CompatibilityMode,
    lifecycle: Lifecycle,
    sunsetAt: Type.Optional(Type.Integer()),
    createdAt: Type.Integer(),
    updatedAt: Type.Integer(),
  },
  { $id: 'ContractType' },
);

export const ContractVersion = Type.Object(
  {
    type: Type.String(),
    version: Type.Integer(),
    schema: Type.Record(Type.String(), Type.Unknown(), { description: 'JSON Schema 2020-12' }),
    example: Type.Optional(Type.Unknown()),
    fingerprint: Type.String(),
    createdAt: Type.Integer(),
    createdBy: Type.Optional(Type.String()),
  },
  { $id: 'ContractVersion' },
);

export const SchemaChange = Type.Object({
  kind: Type.String(),
  path: Type.String(),
  compatible: Type.Optional(Type.Boolean()),
});

/** Shared schemas, registered with the validators and the OpenAPI generator. */
export const sharedSchemas: TSchema[] = [
  Problem,
  SerializedError,
  Run,
  JournalEntry,
  HistoryRecord,
  Task,
  Workflow,
  ApiKey,
  AuditRecord,
  QuarantineEntry,
  ContractType,
  ContractVersion,
];

/** Error responses of a route, each `application/problem+json`. */
export function problems(...statuses: number[]): Record<number, unknown> {
  const out: Record<number, unknown> = {};
  const descriptions: Record<number, string> = {
    400: 'The request is invalid',
    401: 'No valid API key',
    403: 'The key may not do this',
    404: 'Not found',
    409: 'Conflicts with the current state',
    413: 'The body is too large',
    415: 'Unsupported content type',
    422: 'The Idempotency-Key was used for another request',
    429: 'Rate limit exceeded; see Retry-After',
    503: 'Not ready',
  };
  for (const s of [...new Set([400, 401, 403, 429, ...statuses])].sort()) {
    out[s] = {
      description: descriptions[s] ?? 'Error',
      content: { 'application/problem+json': { schema: ref(Problem) } },
    };
  }
  return out;
}

/** `{ items, next }`: a page and the cursor of the next one (absent on the last page). */
export const Page = <T extends TSchema>(item: T, cursor: TSchema = Type.String()) =>
  Type.Object({
    items: Type.Array(item),
    next: Type.Optional(cursor),
  });
