import type { CallRecord, DeadLetterRecord } from './connectors.js';
import { compact, opt } from './row-values.js';

/**
 * Connector rows as both drivers return them (numbers as numbers, JSON columns as the text
 * `JSON.stringify` wrote) and their mapping to records, shared by the SQLite and PostgreSQL stores.
 */
type Row = Record<string, unknown>;

export const CALL_COLUMNS =
  'seq, system, operation, idempotency_key, attempt, outcome, status, latency_ms, error, breaker, at';

export const DEAD_LETTER_COLUMNS = `id, kind, system, operation, idempotency_key, payload, error, attempts, created_at,
  status, replays, edited_at, edited_by, resolved_at, resolved_by`;

export function toCall(r: Row): CallRecord {
  return compact({
    seq: Number(r.seq),
    system: r.system as string,
    operation: r.operation as string,
    idempotencyKey: opt<string>(r.idempotency_key),
    attempt: r.attempt as number,
    outcome: r.outcome as CallRecord['outcome'],
    status: opt<number>(r.status),
    latencyMs: r.latency_ms as number,
    error: opt<string>(r.error),
    breaker: r.breaker as CallRecord['breaker'],
    at: r.at as number,
  });
}

export function toDeadLetter(r: Row): DeadLetterRecord {
  return compact({
    id: r.id as string,
    kind: r.kind as DeadLetterRecord['kind'],
    system: r.system as string,
    operation: r.operation as string,
    idempotencyKey: opt<string>(r.idempotency_key),
    payload: r.payload === null || r.payload === undefined ? undefined : JSON.parse(r.payload as string),
    error: JSON.parse(r.error as string) as DeadLetterRecord['error'],
    attempts: JSON.parse(r.attempts as string) as DeadLetterRecord['attempts'],
    createdAt: r.created_at as number,
    status: r.status as DeadLetterRecord['status'],
    replays: JSON.parse(r.replays as string) as DeadLetterRecord['replays'],
    editedAt: opt<number>(r.edited_at),
    editedBy: opt<string>(r.edited_by),
    resolvedAt: opt<number>(r.resolved_at),
    resolvedBy: opt<string>(r.resolved_by),
  });
}

/** The verb for a refused change to a closed entry. */
export function closedEntry(id: string, status: string, verb: string): string {
  return `dead letter ${id} was already ${status}; it cannot be ${verb}`;
}
