/**
 * What governance keeps: event contracts and their versions, API keys, the audit log (a hash
 * chain), ingested events kept for audit with their contract version, the quarantine of events
 * that could not be accepted, and the responses remembered for `Idempotency-Key` headers.
 *
 * Every backend implements this behind `Store.governance`; the conformance suite runs it unchanged.
 */
import { createHash } from 'node:crypto';

// ------------------------------------------------------------------ contracts

export type ContractLifecycle = 'draft' | 'active' | 'deprecated' | 'retired';

export type CompatibilityMode =
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE'
  | 'NONE';

export interface ContractTypeRecord {
  /** Baton's short type, for example `order.created`. */
  type: string;
  /** The owning team, for example `commerce-platform`. */
  owner: string;
  description: string;
  compatibility: CompatibilityMode;
  lifecycle: ContractLifecycle;
  /** For `deprecated`: when the type stops being accepted (epoch ms). */
  sunsetAt?: number;
  createdAt: number;
  updatedAt: number;
}

export interface ContractVersionRecord {
  type: string;
  /** 1, 2, 3, … per type. */
  version: number;
  /** JSON Schema 2020-12. */
  schema: Record<string, unknown>;
  example?: unknown;
  /** sha256 of the schema's canonical JSON: registering the same schema again returns this version. */
  fingerprint: string;
  createdAt: number;
  createdBy?: string;
}

// ------------------------------------------------------------------ API keys

export interface ApiKeyRecord {
  id: string;
  name: string;
  /** The first characters of the secret, shown in listings so a person can tell keys apart. */
  prefix: string;
  /** sha256 of the whole secret; the secret itself is never stored. */
  hash: string;
  /** Who the key acts as, for example `svc:shopify-bridge` or `user:ana`. */
  principal: string;
  roles: string[];
  /** For example `events:publish:order.*`, `tasks:complete:finance`. */
  scopes: string[];
  createdAt: number;
  createdBy?: string;
  revokedAt?: number;
  revokedBy?: string;
  expiresAt?: number;
  lastUsedAt?: number;
}

// ------------------------------------------------------------------ audit

export interface AuditInput {
  at: number;
  /** The principal that made the change (`system` for Baton itself). */
  actor: string;
  /** For example `contract.registered`, `key.revoked`, `task.completed`, `run.cancelled`. */
  action: string;
  target: { kind: string; id: string };
  before?: unknown;
  after?: unknown;
  /** Correlates with the HTTP request or CLI invocation. */
  requestId?: string;
}

export interface AuditRecord extends AuditInput {
  /** 1, 2, 3, … without gaps. */
  seq: number;
  /** The hash of the previous record (`''` for the first). */
  prevHash: string;
  hash: string;
}

export interface AuditQuery {
  afterSeq?: number;
  actor?: string;
  action?: string;
  targetKind?: string;
  targetId?: string;
  since?: number;
  until?: number;
  /** Default 100. */
  limit?: number;
}

/** Keys in a fixed order at every depth, so the same value always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** Who made a change and under which request: the actor of every audit record. */
export interface AuditActor {
  /** The principal (`user:ana`, `svc:shop`), or `system` for Baton itself. */
  name: string;
  /** The HTTP request id or CLI invocation the change belongs to. */
  requestId?: string;
}

/** A change as an audit entry: what `actor` did to `target`, without empty fields. */
export function auditEntry(
  actor: AuditActor,
  at: number,
  change: { action: string; target: { kind: string; id: string }; before?: unknown; after?: unknown },
): AuditInput {
  const entry: AuditInput = { at, actor: actor.name, action: change.action, target: change.target };
  if (change.before !== undefined) entry.before = change.before;
  if (change.after !== undefined) entry.after = change.after;
  if (actor.requestId) entry.requestId = actor.requestId;
  return entry;
}

/** The chain link of one audit record: sha256 over the previous hash and the record's content. */
export function auditHash(prevHash: string, seq: number, input: AuditInput): string {
  const content = canonicalJson({
    seq,
    at: input.at,
    actor: input.actor,
    action: input.action,
    target: input.target,
    before: input.before,
    after: input.after,
    requestId: input.requestId,
  });
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}

// ------------------------------------------------------------------ ingested events and quarantine

/** An event accepted through the API, as it arrived (CloudEvents attributes kept). */
export interface IngestedEvent {
  /** The producer's event id; unique together with `source`. */
  id: string;
  source: string;
  /** Baton's short type, for example `order.created`. */
  type: string;
  subject?: string;
  /** RFC 3339 time from the producer, when given. */
  time?: string;
  /** The contract version the event was validated against. */
  contractVersion: number;
  data: unknown;
  /** Other CloudEvents attributes and extensions (correlationid, traceparent, …). */
  extensions?: Record<string, string>;
  /** The principal whose key published it. */
  publishedBy?: string;
  receivedAt: number;
}

export type QuarantineStatus = 'held' | 'replayed' | 'discarded';

export interface QuarantineInput {
  /** Where it came from: `http`, `nats:<subject>`, `csv:<file>`, … */
  origin: string;
  /** One line: why it was not accepted. */
  reason: string;
  /** Every problem, by JSON pointer. */
  issues: Array<{ path: string; message: string }>;
  /** The event as received (a parsed value, or the raw text when it did not parse). */
  payload: unknown;
  /** What it claimed to be, when that could be read. */
  type?: string;
  eventId?: string;
  source?: string;
  receivedAt: number;
  publishedBy?: string;
}

export interface QuarantineRecord extends QuarantineInput {
  id: string;
  status: QuarantineStatus;
  /** Replay attempts, each with its outcome. */
  attempts: Array<{ at: number; by: string; ok: boolean; reason?: string }>;
  resolvedAt?: number;
  resolvedBy?: string;
}

export interface QuarantineQuery {
  status?: QuarantineStatus;
  type?: string;
  origin?: string;
  limit?: number;
  /** Entries older than this id (newest first paging). */
  before?: string;
}

// ------------------------------------------------------------------ idempotency keys

export interface IdempotencyRecord {
  /** The caller's `Idempotency-Key` together with its principal. */
  key: string;
  principal: string;
  /** sha256 of method, path and body: the same key with another request is refused. */
  requestHash: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
  createdAt: number;
}

/**
 * Governance persistence. Methods are atomic on their own; conflicting writes from other processes
 * are refused with `ConflictError`, never silently merged.
 */
export interface GovernanceStore {
  // contracts
  /** Creates or updates a contract type's metadata. */
  putContractType(t: ContractTypeRecord): Promise<ContractTypeRecord>;
  getContractType(type: string): Promise<ContractTypeRecord | undefined>;
  listContractTypes(): Promise<ContractTypeRecord[]>;
  /**
   * Adds the next version. `expectedLatest` is the version the caller checked compatibility
   * against (0 for none): when another version landed meanwhile the call fails with ConflictError.
   */
  addContractVersion(
    v: Omit<ContractVersionRecord, 'version'>,
    expectedLatest: number,
  ): Promise<ContractVersionRecord>;
  /** The given version, or the latest when `version` is absent. */
  getContractVersion(type: string, version?: number): Promise<ContractVersionRecord | undefined>;
  listContractVersions(type: string): Promise<ContractVersionRecord[]>;

  // API keys
  /** Stores a new key; with `onlyIfNone`, only when no key exists at all (the first admin key). */
  createApiKey(key: ApiKeyRecord, options?: { onlyIfNone?: boolean }): Promise<boolean>;
  getApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  findApiKeyByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  listApiKeys(): Promise<ApiKeyRecord[]>;
  revokeApiKey(id: string, by: string, at: number): Promise<ApiKeyRecord>;
  touchApiKey(id: string, at: number): Promise<void>;

  // audit
  /** Appends records in order, chaining each to the last one written by any process. */
  appendAudit(entries: AuditInput[]): Promise<AuditRecord[]>;
  readAudit(query: AuditQuery): Promise<AuditRecord[]>;

  // ingested events
  /**
   * Keeps accepted events, idempotent on (source, id): `duplicate` for those already kept. In the
   * same transaction each new event enters the engine's inbox (as `deliverEvent` does), so waits it
   * matches complete; `woke` lists the runs that became runnable.
   */
  recordIngested(events: IngestedEvent[]): Promise<Array<{ duplicate: boolean; woke: string[] }>>;
  getIngested(source: string, id: string): Promise<IngestedEvent | undefined>;

  // quarantine
  quarantine(entries: QuarantineInput[]): Promise<QuarantineRecord[]>;
  getQuarantined(id: string): Promise<QuarantineRecord | undefined>;
  listQuarantined(query: QuarantineQuery): Promise<QuarantineRecord[]>;
  /** Replaces the payload of a held entry (a correction before replay). */
  correctQuarantined(id: string, payload: unknown, by: string, at: number): Promise<QuarantineRecord>;
  /** Records a replay attempt; a successful one marks the entry `replayed`. */
  recordReplay(
    id: string,
    attempt: { at: number; by: string; ok: boolean; reason?: string },
  ): Promise<QuarantineRecord>;
  discardQuarantined(id: string, by: string, at: number): Promise<QuarantineRecord>;

  // idempotency keys
  getIdempotent(principal: string, key: string): Promise<IdempotencyRecord | undefined>;
  /** Remembers a response; false when the key was taken meanwhile (the stored one wins). */
  putIdempotent(record: IdempotencyRecord): Promise<boolean>;
  /** Forgets responses older than `before`. */
  pruneIdempotent(before: number): Promise<number>;
}
