import { ConflictError, NotFoundError, newId } from '../../core/index.js';
import { CALL_COLUMNS, closedEntry, DEAD_LETTER_COLUMNS, toCall, toDeadLetter } from '../connector-rows.js';
import type {
  CallQuery,
  CallRecord,
  CallRecordInput,
  CallStats,
  ConnectorStore,
  DeadLetterInput,
  DeadLetterQuery,
  DeadLetterRecord,
  DeadLetterReplay,
} from '../connectors.js';
import { pageLimit } from '../paging.js';
import { paramList } from './params.js';
import { json } from './rows.js';
import type { Session, Tx } from './transaction.js';

type Row = Record<string, unknown>;

/** What the connector records borrow from the store they live in. */
export interface PostgresConnectorParts {
  /** Runs `op` in the store's next group-committed transaction. */
  write<T>(op: (tx: Tx) => Promise<T>): Promise<T>;
  read<T>(op: (s: Session) => Promise<T>): Promise<T>;
}

/**
 * Connector records on PostgreSQL, shared by every process on the database. A batch of call
 * records is one multi-row insert; percentiles come from `percentile_disc`, the same nearest rank
 * the embedded store computes. A dead letter is locked while it changes, so two processes replaying
 * it at once cannot both close it.
 */
export class PostgresConnectors implements ConnectorStore {
  constructor(private readonly p: PostgresConnectorParts) {}

  // ---------------------------------------------------------------- call records

  recordCalls(calls: CallRecordInput[]): Promise<void> {
    if (calls.length === 0) return Promise.resolve();
    return this.p.write(async (tx) => {
      await tx.run(
        `INSERT INTO connector_calls (system, operation, idempotency_key, attempt, outcome, status, latency_ms, error, breaker, at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::int[], $7::int[],
           $8::text[], $9::text[], $10::bigint[])`,
        [
          calls.map((c) => c.system),
          calls.map((c) => c.operation),
          calls.map((c) => c.idempotencyKey ?? null),
          calls.map((c) => c.attempt),
          calls.map((c) => c.outcome),
          calls.map((c) => c.status ?? null),
          calls.map((c) => Math.round(c.latencyMs)),
          calls.map((c) => c.error ?? null),
          calls.map((c) => c.breaker),
          calls.map((c) => c.at),
        ],
      );
    });
  }

  listCalls(query: CallQuery): Promise<CallRecord[]> {
    return this.p.read(async (s) => {
      const { values: params, add: param } = paramList();
      const where: string[] = [];
      if (query.system !== undefined) where.push(`system = ${param(query.system)}`);
      if (query.operation !== undefined) where.push(`operation = ${param(query.operation)}`);
      if (query.idempotencyKey !== undefined) where.push(`idempotency_key = ${param(query.idempotencyKey)}`);
      if (query.since !== undefined) where.push(`at >= ${param(query.since)}`);
      if (query.beforeSeq !== undefined) where.push(`seq < ${param(query.beforeSeq)}`);
      const limit = param(pageLimit(query.limit));
      const rows = await s.adHoc(
        `SELECT ${CALL_COLUMNS} FROM connector_calls ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY seq DESC LIMIT ${limit}`,
        params,
      );
      return rows.map(toCall);
    });
  }

  callStats(query: { since: number; system?: string }): Promise<CallStats[]> {
    return this.p.read(async (s) => {
      const rows = await s.rows(
        `WITH systems AS (
           SELECT DISTINCT system FROM connector_calls WHERE $2::text IS NULL OR system = $2
         )
         SELECT sy.system, w.calls, w.failures, w.p50, w.p99, l.at AS last_at, l.breaker AS last_breaker,
           ok.at AS last_success_at, f.at AS last_error_at, f.error AS last_error
         FROM systems sy
         CROSS JOIN LATERAL (
           SELECT count(*)::int AS calls, (count(*) FILTER (WHERE outcome <> 'ok'))::int AS failures,
             percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
             percentile_disc(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99
           FROM connector_calls WHERE system = sy.system AND at >= $1
         ) w
         LEFT JOIN LATERAL (
           SELECT at, breaker FROM connector_calls WHERE system = sy.system ORDER BY seq DESC LIMIT 1
         ) l ON true
         LEFT JOIN LATERAL (
           SELECT at FROM connector_calls WHERE system = sy.system AND outcome = 'ok' ORDER BY seq DESC LIMIT 1
         ) ok ON true
         LEFT JOIN LATERAL (
           SELECT at, error FROM connector_calls WHERE system = sy.system AND outcome <> 'ok'
           ORDER BY seq DESC LIMIT 1
         ) f ON true
         ORDER BY sy.system`,
        [query.since, query.system ?? null],
      );
      return rows.map((r: Row) => {
        const stats: CallStats = {
          system: r.system as string,
          calls: r.calls as number,
          failures: r.failures as number,
        };
        if (r.p50 !== null) stats.p50Ms = r.p50 as number;
        if (r.p99 !== null) stats.p99Ms = r.p99 as number;
        if (r.last_at !== null) {
          stats.lastAt = r.last_at as number;
          stats.lastBreaker = r.last_breaker as CallStats['lastBreaker'];
        }
        if (r.last_success_at !== null) stats.lastSuccessAt = r.last_success_at as number;
        if (r.last_error_at !== null) stats.lastErrorAt = r.last_error_at as number;
        if (r.last_error !== null) stats.lastError = r.last_error as string;
        return stats;
      });
    });
  }

  pruneCalls(before: number): Promise<number> {
    return this.p.write((tx) => tx.run('DELETE FROM connector_calls WHERE at < $1', [before]));
  }

  // ---------------------------------------------------------------- dead letters

  addDeadLetter(entry: DeadLetterInput): Promise<DeadLetterRecord> {
    const id = newId(entry.createdAt);
    return this.p.write(async (tx) => {
      const row = await tx.one(
        `INSERT INTO dead_letters (id, kind, system, operation, idempotency_key, payload, error, attempts, created_at,
           status, replays)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'held', '[]')
         RETURNING ${DEAD_LETTER_COLUMNS}`,
        [
          id,
          entry.kind,
          entry.system,
          entry.operation,
          entry.idempotencyKey ?? null,
          json(entry.payload),
          JSON.stringify(entry.error),
          JSON.stringify(entry.attempts),
          entry.createdAt,
        ],
      );
      return toDeadLetter(row!);
    });
  }

  getDeadLetter(id: string): Promise<DeadLetterRecord | undefined> {
    return this.p.read(async (s) => {
      const row = await s.one(`SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letters WHERE id = $1`, [id]);
      return row ? toDeadLetter(row) : undefined;
    });
  }

  listDeadLetters(query: DeadLetterQuery): Promise<DeadLetterRecord[]> {
    return this.p.read(async (s) => {
      const { values: params, add: param } = paramList();
      const where: string[] = [];
      if (query.status !== undefined) where.push(`status = ${param(query.status)}`);
      if (query.system !== undefined) where.push(`system = ${param(query.system)}`);
      if (query.kind !== undefined) where.push(`kind = ${param(query.kind)}`);
      if (query.before !== undefined) where.push(`id < ${param(query.before)}`);
      const limit = param(pageLimit(query.limit));
      const rows = await s.adHoc(
        `SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letters ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY id DESC LIMIT ${limit}`,
        params,
      );
      return rows.map(toDeadLetter);
    });
  }

  editDeadLetter(id: string, payload: unknown, by: string, at: number): Promise<DeadLetterRecord> {
    return this.p.write(async (tx) => {
      await this.mustHold(tx, id, 'edited');
      const row = await tx.one(
        `UPDATE dead_letters SET payload = $2, edited_at = $3, edited_by = $4 WHERE id = $1
         RETURNING ${DEAD_LETTER_COLUMNS}`,
        [id, json(payload), at, by],
      );
      return toDeadLetter(row!);
    });
  }

  recordDeadLetterReplay(id: string, replay: DeadLetterReplay): Promise<DeadLetterRecord> {
    return this.p.write(async (tx) => {
      const held = await this.mustHold(tx, id, 'replayed');
      const row = await tx.one(
        `UPDATE dead_letters SET replays = $2,
           status = CASE WHEN $3 THEN 'replayed' ELSE status END,
           resolved_at = CASE WHEN $3 THEN $4 ELSE resolved_at END,
           resolved_by = CASE WHEN $3 THEN $5 ELSE resolved_by END
         WHERE id = $1
         RETURNING ${DEAD_LETTER_COLUMNS}`,
        [id, JSON.stringify([...held.replays, replay]), replay.ok, replay.at, replay.by],
      );
      return toDeadLetter(row!);
    });
  }

  discardDeadLetter(id: string, by: string, at: number): Promise<DeadLetterRecord> {
    return this.p.write(async (tx) => {
      await this.mustHold(tx, id, 'discarded');
      const row = await tx.one(
        `UPDATE dead_letters SET status = 'discarded', resolved_at = $2, resolved_by = $3 WHERE id = $1
         RETURNING ${DEAD_LETTER_COLUMNS}`,
        [id, at, by],
      );
      return toDeadLetter(row!);
    });
  }

  /** The entry, locked, which must still be held: replayed and discarded entries are closed. */
  private async mustHold(tx: Tx, id: string, verb: string): Promise<DeadLetterRecord> {
    const row = await tx.one(`SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letters WHERE id = $1 FOR UPDATE`, [
      id,
    ]);
    if (!row) throw new NotFoundError('dead letter', id);
    const entry = toDeadLetter(row);
    if (entry.status !== 'held')
      throw new ConflictError(closedEntry(id, entry.status, verb), { status: entry.status });
    return entry;
  }
}
