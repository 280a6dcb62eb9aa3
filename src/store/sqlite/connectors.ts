import { ConflictError, NotFoundError, newId } from '../../core/index.js';
import { CALL_COLUMNS, closedEntry, DEAD_LETTER_COLUMNS, toCall, toDeadLetter } from '../connector-rows.js';
import {
  type CallQuery,
  type CallRecord,
  type CallRecordInput,
  type CallStats,
  type ConnectorStore,
  type DeadLetterInput,
  type DeadLetterQuery,
  type DeadLetterRecord,
  type DeadLetterReplay,
  nearestRank,
} from '../connectors.js';
import { pageLimit } from '../paging.js';
import type { SqliteDatabase, SqliteStatement } from './driver.js';
import { json } from './rows.js';

type Row = Record<string, unknown>;

/** What the connector records borrow from the store they live in. */
export interface SqliteConnectorParts {
  db: SqliteDatabase;
  /** Runs `op` in the store's next group-committed transaction, beside the engine's writes. */
  write<T>(op: () => T): Promise<T>;
  read<T>(op: () => T): Promise<T>;
}

/**
 * Connector records on the embedded store. A batch of call records is one operation of the group
 * committer; percentiles are taken over the window's latencies, read in order.
 */
export class SqliteConnectors implements ConnectorStore {
  private readonly stmts = new Map<string, SqliteStatement>();

  constructor(private readonly s: SqliteConnectorParts) {}

  private q(sql: string): SqliteStatement {
    let st = this.stmts.get(sql);
    if (!st) {
      st = this.s.db.prepare(sql);
      this.stmts.set(sql, st);
    }
    return st;
  }

  // ---------------------------------------------------------------- call records

  recordCalls(calls: CallRecordInput[]): Promise<void> {
    if (calls.length === 0) return Promise.resolve();
    return this.s.write(() => {
      const insert = this.q(
        `INSERT INTO connector_calls (system, operation, idempotency_key, attempt, outcome, status, latency_ms, error, breaker, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const c of calls) {
        insert.run(
          c.system,
          c.operation,
          c.idempotencyKey ?? null,
          c.attempt,
          c.outcome,
          c.status ?? null,
          Math.round(c.latencyMs),
          c.error ?? null,
          c.breaker,
          c.at,
        );
      }
    });
  }

  listCalls(query: CallQuery): Promise<CallRecord[]> {
    return this.s.read(() => {
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: pageLimit(query.limit) };
      for (const [k, clause] of [
        ['system', 'system = @system'],
        ['operation', 'operation = @operation'],
        ['idempotencyKey', 'idempotency_key = @idempotencyKey'],
        ['since', 'at >= @since'],
        ['beforeSeq', 'seq < @beforeSeq'],
      ] as const) {
        if (query[k] === undefined) continue;
        where.push(clause);
        params[k] = query[k];
      }
      const sql = `SELECT ${CALL_COLUMNS} FROM connector_calls ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY seq DESC LIMIT @limit`;
      return (this.q(sql).all(params) as Row[]).map(toCall);
    });
  }

  callStats(query: { since: number; system?: string }): Promise<CallStats[]> {
    return this.s.read(() => {
      const systems =
        query.system !== undefined
          ? (this.q('SELECT DISTINCT system FROM connector_calls WHERE system = ?').all(
              query.system,
            ) as Row[])
          : (this.q('SELECT DISTINCT system FROM connector_calls ORDER BY system').all() as Row[]);
      return systems.map((r) => this.statsOf(r.system as string, query.since));
    });
  }

  private statsOf(system: string, since: number): CallStats {
    const window = this.q(
      `SELECT latency_ms, outcome FROM connector_calls WHERE system = ? AND at >= ? ORDER BY latency_ms`,
    ).all(system, since) as Row[];
    const latencies = window.map((w) => w.latency_ms as number);
    const last = this.q(
      'SELECT at, breaker FROM connector_calls WHERE system = ? ORDER BY seq DESC LIMIT 1',
    ).get(system) as Row | undefined;
    const success = this.q(
      `SELECT at FROM connector_calls WHERE system = ? AND outcome = 'ok' ORDER BY seq DESC LIMIT 1`,
    ).get(system) as Row | undefined;
    const failure = this.q(
      `SELECT at, error FROM connector_calls WHERE system = ? AND outcome <> 'ok' ORDER BY seq DESC LIMIT 1`,
    ).get(system) as Row | undefined;
    const stats: CallStats = {
      system,
      calls: window.length,
      failures: window.filter((w) => w.outcome !== 'ok').length,
    };
    const p50 = nearestRank(latencies, 0.5);
    const p99 = nearestRank(latencies, 0.99);
    if (p50 !== undefined) stats.p50Ms = p50;
    if (p99 !== undefined) stats.p99Ms = p99;
    if (last) {
      stats.lastAt = last.at as number;
      stats.lastBreaker = last.breaker as CallStats['lastBreaker'];
    }
    if (success) stats.lastSuccessAt = success.at as number;
    if (failure) {
      stats.lastErrorAt = failure.at as number;
      if (failure.error !== null) stats.lastError = failure.error as string;
    }
    return stats;
  }

  pruneCalls(before: number): Promise<number> {
    return this.s.write(() => this.q('DELETE FROM connector_calls WHERE at < ?').run(before).changes);
  }

  // ---------------------------------------------------------------- dead letters

  addDeadLetter(entry: DeadLetterInput): Promise<DeadLetterRecord> {
    const id = newId(entry.createdAt);
    return this.s.write(() => {
      this.q(
        `INSERT INTO dead_letters (id, kind, system, operation, idempotency_key, payload, error, attempts, created_at,
           status, replays)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'held', '[]')`,
      ).run(
        id,
        entry.kind,
        entry.system,
        entry.operation,
        entry.idempotencyKey ?? null,
        json(entry.payload),
        JSON.stringify(entry.error),
        JSON.stringify(entry.attempts),
        entry.createdAt,
      );
      return this.mustGet(id);
    });
  }

  getDeadLetter(id: string): Promise<DeadLetterRecord | undefined> {
    return this.s.read(() => this.find(id));
  }

  listDeadLetters(query: DeadLetterQuery): Promise<DeadLetterRecord[]> {
    return this.s.read(() => {
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: pageLimit(query.limit) };
      for (const [k, clause] of [
        ['status', 'status = @status'],
        ['system', 'system = @system'],
        ['kind', 'kind = @kind'],
        ['before', 'id < @before'],
      ] as const) {
        if (query[k] === undefined) continue;
        where.push(clause);
        params[k] = query[k];
      }
      const sql = `SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letters ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id DESC LIMIT @limit`;
      return (this.q(sql).all(params) as Row[]).map(toDeadLetter);
    });
  }

  editDeadLetter(id: string, payload: unknown, by: string, at: number): Promise<DeadLetterRecord> {
    return this.s.write(() => {
      this.mustHold(id, 'edited');
      this.q('UPDATE dead_letters SET payload = ?, edited_at = ?, edited_by = ? WHERE id = ?').run(
        json(payload),
        at,
        by,
        id,
      );
      return this.mustGet(id);
    });
  }

  recordDeadLetterReplay(id: string, replay: DeadLetterReplay): Promise<DeadLetterRecord> {
    return this.s.write(() => {
      const held = this.mustHold(id, 'replayed');
      if (replay.ok) {
        this.q(
          `UPDATE dead_letters SET replays = ?, status = 'replayed', resolved_at = ?, resolved_by = ? WHERE id = ?`,
        ).run(JSON.stringify([...held.replays, replay]), replay.at, replay.by, id);
      } else {
        this.q('UPDATE dead_letters SET replays = ? WHERE id = ?').run(
          JSON.stringify([...held.replays, replay]),
          id,
        );
      }
      return this.mustGet(id);
    });
  }

  discardDeadLetter(id: string, by: string, at: number): Promise<DeadLetterRecord> {
    return this.s.write(() => {
      this.mustHold(id, 'discarded');
      this.q(
        `UPDATE dead_letters SET status = 'discarded', resolved_at = ?, resolved_by = ? WHERE id = ?`,
      ).run(at, by, id);
      return this.mustGet(id);
    });
  }

  private find(id: string): DeadLetterRecord | undefined {
    const row = this.q(`SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letters WHERE id = ?`).get(id) as
      | Row
      | undefined;
    return row ? toDeadLetter(row) : undefined;
  }

  private mustGet(id: string): DeadLetterRecord {
    const entry = this.find(id);
    if (!entry) throw new NotFoundError('dead letter', id);
    return entry;
  }

  private mustHold(id: string, verb: string): DeadLetterRecord {
    const entry = this.mustGet(id);
    if (entry.status !== 'held')
      throw new ConflictError(closedEntry(id, entry.status, verb), { status: entry.status });
    return entry;
  }
}
