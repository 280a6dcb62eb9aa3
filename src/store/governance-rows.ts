import {
  type ApiKeyRecord,
  type AuditInput,
  type AuditRecord,
  auditHash,
  type ContractTypeRecord,
  type ContractVersionRecord,
  type IdempotencyRecord,
  type IngestedEvent,
  type QuarantineRecord,
} from './governance.js';
import { compact, opt, parse } from './row-values.js';

/**
 * Governance rows as both drivers return them (numbers as numbers, JSON columns as the text
 * `JSON.stringify` wrote) and their mapping to records, shared by the SQLite and PostgreSQL stores.
 */
type Row = Record<string, unknown>;

/** A value as it reads back from its JSON text (a Date becomes its string, undefined members go). */
const asStored = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

/**
 * The next link of the audit chain. The hash covers the record as it will read back, so anyone can
 * check the chain from `readAudit` alone.
 */
export function chainLink(prevHash: string, seq: number, input: AuditInput): AuditRecord {
  const stored: AuditInput = compact({
    at: input.at,
    actor: input.actor,
    action: input.action,
    target: { kind: input.target.kind, id: input.target.id },
    before: asStored(input.before),
    after: asStored(input.after),
    requestId: input.requestId,
  });
  return { ...stored, seq, prevHash, hash: auditHash(prevHash, seq, stored) };
}

export function toContractType(r: Row): ContractTypeRecord {
  return compact({
    type: r.type as string,
    owner: r.owner as string,
    description: r.description as string,
    compatibility: r.compatibility as ContractTypeRecord['compatibility'],
    lifecycle: r.lifecycle as ContractTypeRecord['lifecycle'],
    sunsetAt: opt<number>(r.sunset_at),
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
  });
}

export function toContractVersion(r: Row): ContractVersionRecord {
  return compact({
    type: r.type as string,
    version: r.version as number,
    schema: JSON.parse(r.schema as string) as Record<string, unknown>,
    example: parse(r.example),
    fingerprint: r.fingerprint as string,
    createdAt: r.created_at as number,
    createdBy: opt<string>(r.created_by),
  });
}

export function toApiKey(r: Row): ApiKeyRecord {
  return compact({
    id: r.id as string,
    name: r.name as string,
    prefix: r.prefix as string,
    hash: r.hash as string,
    principal: r.principal as string,
    roles: JSON.parse(r.roles as string) as string[],
    scopes: JSON.parse(r.scopes as string) as string[],
    createdAt: r.created_at as number,
    createdBy: opt<string>(r.created_by),
    revokedAt: opt<number>(r.revoked_at),
    revokedBy: opt<string>(r.revoked_by),
    expiresAt: opt<number>(r.expires_at),
    lastUsedAt: opt<number>(r.last_used_at),
  });
}

export function toAudit(r: Row): AuditRecord {
  return compact({
    seq: r.seq as number,
    at: r.at as number,
    actor: r.actor as string,
    action: r.action as string,
    target: { kind: r.target_kind as string, id: r.target_id as string },
    before: parse(r.before_value),
    after: parse(r.after_value),
    requestId: opt<string>(r.request_id),
    prevHash: r.prev_hash as string,
    hash: r.hash as string,
  });
}

export function toIngested(r: Row): IngestedEvent {
  return compact({
    id: r.id as string,
    source: r.source as string,
    type: r.type as string,
    subject: opt<string>(r.subject),
    time: opt<string>(r.time),
    contractVersion: r.contract_version as number,
    data: parse(r.data),
    extensions: parse(r.extensions) as IngestedEvent['extensions'],
    publishedBy: opt<string>(r.published_by),
    receivedAt: r.received_at as number,
  });
}

export function toQuarantined(r: Row): QuarantineRecord {
  return compact({
    id: r.id as string,
    origin: r.origin as string,
    reason: r.reason as string,
    issues: JSON.parse(r.issues as string) as QuarantineRecord['issues'],
    payload: parse(r.payload),
    type: opt<string>(r.type),
    eventId: opt<string>(r.event_id),
    source: opt<string>(r.source),
    receivedAt: r.received_at as number,
    publishedBy: opt<string>(r.published_by),
    status: r.status as QuarantineRecord['status'],
    attempts: JSON.parse(r.attempts as string) as QuarantineRecord['attempts'],
    resolvedAt: opt<number>(r.resolved_at),
    resolvedBy: opt<string>(r.resolved_by),
  });
}

export function toIdempotent(r: Row): IdempotencyRecord {
  return compact({
    key: r.key as string,
    principal: r.principal as string,
    requestHash: r.request_hash as string,
    status: r.status as number,
    headers: JSON.parse(r.headers as string) as Record<string, string>,
    body: parse(r.body),
    createdAt: r.created_at as number,
  });
}
