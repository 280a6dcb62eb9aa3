/**
 * What the connector SDK keeps: a record of every call made to an outside system (for the health
 * view) and the dead-letter queue of calls and inbound messages that failed for good.
 *
 * Glossary:
 * - **system**: the outside system a connector talks to (`erp`, `wms`, a supplier).
 * - **operation**: one named request a connector declares (`checkCredit`).
 * - **attempt**: one request on the wire; a call makes one or more.
 * - **dead letter**: a call or message kept, with its payload, its error and every attempt, until
 *   someone replays or discards it.
 *
 * Every backend implements this behind `Store.connectors`; the conformance suite runs it unchanged.
 */

/** How one attempt ended. `rejected`: refused before any request (the breaker was open). */
export type CallOutcome = 'ok' | 'failed' | 'timeout' | 'rejected';

export interface CallRecordInput {
  system: string;
  operation: string;
  /** The step's key (`runId:position`), the same on every attempt. */
  idempotencyKey?: string;
  /** 1, 2, 3, … within the call. */
  attempt: number;
  outcome: CallOutcome;
  /** The HTTP status, when a response came back. */
  status?: number;
  latencyMs: number;
  /** One line, for failed attempts. */
  error?: string;
  /** The system's breaker after the attempt, as this process saw it. */
  breaker: BreakerState;
  at: number;
}

export interface CallRecord extends CallRecordInput {
  /** Ascending in write order. */
  seq: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CallQuery {
  system?: string;
  operation?: string;
  idempotencyKey?: string;
  since?: number;
  /** Records older than this sequence number (newest first paging). */
  beforeSeq?: number;
  /** Default 100. */
  limit?: number;
}

/** Figures of one system over a window, as the health view shows them. */
export interface CallStats {
  system: string;
  calls: number;
  failures: number;
  /** Nearest-rank percentiles of the latency of the window's attempts, in ms. */
  p50Ms?: number;
  p99Ms?: number;
  /** The latest attempt at all (not only in the window). */
  lastAt?: number;
  lastBreaker?: BreakerState;
  lastSuccessAt?: number;
  lastErrorAt?: number;
  lastError?: string;
}

/** Nearest-rank percentile of sorted values: the smallest value with at least `p` of them at or below. */
export function nearestRank(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

// ------------------------------------------------------------------ dead-letter queue

export type DeadLetterStatus = 'held' | 'replayed' | 'discarded';

export interface DeadLetterError {
  message: string;
  /** For example `connector.unavailable`, `connector.rejected`. */
  type?: string;
  status?: number;
  retryable?: boolean;
  details?: Record<string, unknown>;
}

export interface DeadLetterAttempt {
  at: number;
  attempt: number;
  outcome: CallOutcome;
  status?: number;
  latencyMs?: number;
  error?: string;
}

export interface DeadLetterInput {
  /** A call to a system, or an inbound message its handler could not apply. */
  kind: 'call' | 'message';
  system: string;
  /** The operation called, or the kind of message. */
  operation: string;
  idempotencyKey?: string;
  payload: unknown;
  error: DeadLetterError;
  attempts: DeadLetterAttempt[];
  createdAt: number;
}

export interface DeadLetterReplay {
  at: number;
  by: string;
  ok: boolean;
  error?: string;
}

export interface DeadLetterRecord extends DeadLetterInput {
  id: string;
  status: DeadLetterStatus;
  /** Replays, each with its outcome. */
  replays: DeadLetterReplay[];
  editedAt?: number;
  editedBy?: string;
  resolvedAt?: number;
  resolvedBy?: string;
}

export interface DeadLetterQuery {
  status?: DeadLetterStatus;
  system?: string;
  kind?: DeadLetterInput['kind'];
  /** Entries older than this id (newest first paging). */
  before?: string;
  /** Default 100. */
  limit?: number;
}

/**
 * Connector persistence. Call records are written in batches and pruned by age; dead letters are
 * changed only while held, a change to a closed one is refused with `ConflictError`.
 */
export interface ConnectorStore {
  recordCalls(calls: CallRecordInput[]): Promise<void>;
  /** Newest first. */
  listCalls(query: CallQuery): Promise<CallRecord[]>;
  /** One row per system that has attempts since `since` (or a latest attempt at all), by system name. */
  callStats(query: { since: number; system?: string }): Promise<CallStats[]>;
  /** Forgets records older than `before`; returns how many. */
  pruneCalls(before: number): Promise<number>;

  addDeadLetter(entry: DeadLetterInput): Promise<DeadLetterRecord>;
  getDeadLetter(id: string): Promise<DeadLetterRecord | undefined>;
  /** Newest first. */
  listDeadLetters(query: DeadLetterQuery): Promise<DeadLetterRecord[]>;
  /** Replaces the payload of a held entry before a replay. */
  editDeadLetter(id: string, payload: unknown, by: string, at: number): Promise<DeadLetterRecord>;
  /** Records a replay; a successful one marks the entry `replayed`. */
  recordDeadLetterReplay(id: string, replay: DeadLetterReplay): Promise<DeadLetterRecord>;
  discardDeadLetter(id: string, by: string, at: number): Promise<DeadLetterRecord>;
}
