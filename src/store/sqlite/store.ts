import { ConflictError, NotFoundError } from '../../core/index.js';
import type { ConnectorStore } from '../connectors.js';
import type { GovernanceStore } from '../governance.js';
import { GroupCommitter, type Settled } from '../group-commit.js';
import { matchesEvent } from '../match.js';
import type { RuleStore } from '../rules.js';
import type {
  ClaimedRun,
  ClaimRequest,
  CommitResult,
  CommitUnit,
  DeliverResult,
  EventWaitInput,
  HistoryInput,
  HistoryRecord,
  InboundEvent,
  JournalEntry,
  JournalWrite,
  NewRun,
  NewTask,
  OutboxRecord,
  ResetMode,
  RunQuery,
  RunRecord,
  RunTransition,
  Store,
  StoreCapabilities,
  StoreStats,
  Tags,
  TaskChange,
  TaskQuery,
  TaskRecord,
  TimerRecord,
} from '../types.js';
import { isTerminal } from '../types.js';
import { SqliteConnectors } from './connectors.js';
import type { SqliteDatabase, SqliteStatement } from './driver.js';
import { SqliteGovernance } from './governance.js';
import { json, toEntry, toEvent, toHistory, toOutbox, toRun, toTask } from './rows.js';
import { SqliteRules } from './rules.js';

type Row = Record<string, unknown>;
const ACTIVE = "('running','waiting','compensating')";

/**
 * The embedded store. better-sqlite3 is synchronous, so every operation runs to completion without
 * interleaving; writes go through the group committer so that concurrent runs share transactions.
 */
export class SqliteStore implements Store {
  readonly capabilities: StoreCapabilities = { multiProcess: true, pushWakeups: false, groupCommit: true };
  private readonly committer: GroupCommitter<SqliteDatabase>;
  private readonly stmts = new Map<string, SqliteStatement>();
  private closed = false;
  /** Governance records, written through the same committer as the engine's writes. */
  readonly governance: GovernanceStore;
  /** Rule sets, drafts and regional overrides, written through the same committer. */
  readonly rules: RuleStore;
  /** Call records and dead letters, written through the same committer. */
  readonly connectors: ConnectorStore;

  constructor(private readonly db: SqliteDatabase) {
    this.committer = new GroupCommitter<SqliteDatabase>((ops) => Promise.resolve(this.runBatch(ops)));
    this.governance = new SqliteGovernance({
      db,
      write: (op) => this.write(op),
      read: (op) => this.read(op),
      deliver: (events) => this.deliver(events),
    });
    this.rules = new SqliteRules({ db, write: (op) => this.write(op), read: (op) => this.read(op) });
    this.connectors = new SqliteConnectors({
      db,
      write: (op) => this.write(op),
      read: (op) => this.read(op),
    });
  }

  private runBatch(ops: Array<(tx: SqliteDatabase) => unknown>): Settled[] {
    const results: Settled[] = [];
    const isolate = ops.length > 1; // a savepoint per operation, so one that throws rolls back alone
    this.q('BEGIN IMMEDIATE').run();
    try {
      for (const op of ops) {
        if (isolate) this.q('SAVEPOINT op').run();
        try {
          const value = op(this.db);
          if (isolate) this.q('RELEASE op').run();
          results.push({ ok: true, value });
        } catch (error) {
          if (!isolate) throw error;
          this.q('ROLLBACK TO op').run();
          this.q('RELEASE op').run();
          results.push({ ok: false, error });
        }
      }
      this.q('COMMIT').run();
    } catch (err) {
      if (this.db.inTransaction) this.q('ROLLBACK').run();
      if (!isolate && results.length === 0) return [{ ok: false, error: err }];
      throw err;
    }
    return results;
  }

  private write<T>(op: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new ConflictError('store is closed'));
    return this.committer.submit(op) as Promise<T>;
  }

  private read<T>(op: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new ConflictError('store is closed'));
    try {
      return Promise.resolve(op());
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private q(sql: string): SqliteStatement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // let queued writes land before closing
    await this.committer.submit(() => undefined);
    this.closed = true;
    this.db.close();
  }

  stats(): StoreStats {
    return { transactions: this.committer.transactions, operations: this.committer.operations };
  }

  /** The connection's journal mode and `synchronous` level (0 off, 1 normal, 2 full), as SQLite reports them. */
  pragmas(): { journalMode: string; synchronous: number } {
    return {
      journalMode: this.db.pragma('journal_mode', { simple: true }) as string,
      synchronous: this.db.pragma('synchronous', { simple: true }) as number,
    };
  }

  // ---------------------------------------------------------------- helpers (run inside a transaction)

  private history(runId: string, h: HistoryInput): void {
    this.q('INSERT INTO history (run_id, type, position, at, data) VALUES (?, ?, ?, ?, ?)').run(
      runId,
      h.type,
      h.position ?? null,
      h.at,
      json(h.data),
    );
  }

  private tagsOf(runId: string): Tags {
    const out: Tags = {};
    for (const r of this.q('SELECT key, value FROM run_tags WHERE run_id = ?').all(runId) as Row[]) {
      out[r.key as string] = r.value as string;
    }
    return out;
  }

  private runRow(id: string): Row | undefined {
    return this.q('SELECT * FROM runs WHERE id = ?').get(id) as Row | undefined;
  }

  private mustRun(id: string): RunRecord {
    const row = this.runRow(id);
    if (!row) throw new NotFoundError('run', id);
    return toRun(row, this.tagsOf(id));
  }

  private setTags(runId: string, tags: Tags): void {
    const stmt = this.q(
      'INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value',
    );
    for (const [k, v] of Object.entries(tags)) stmt.run(runId, k, String(v));
  }

  private activeForKey(key: string): number {
    return (
      this.q(`SELECT count(*) AS n FROM runs WHERE concurrency_key = ? AND status IN ${ACTIVE}`).get(
        key,
      ) as Row
    ).n as number;
  }

  /** Makes a run runnable now because something outside its lease changed (event, task, child). */
  private wake(runId: string, now: number): void {
    this.q(
      `UPDATE runs SET wake_seq = wake_seq + 1, next_at = ?, updated_at = ?
       WHERE id = ? AND status NOT IN ('completed','failed','cancelled','compensated')`,
    ).run(now, now, runId);
  }

  private insertRun(run: NewRun, lease?: { owner: string; until: number }): void {
    this.q(
      `INSERT INTO runs (id, workflow, version, wf_key, status, input, idempotency_key, parent_id, parent_position,
         queue, concurrency_key, concurrency_limit, next_at, lease_owner, lease_until, lease_token, claims,
         created_at, updated_at, started_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      run.id,
      run.workflow,
      run.version,
      `${run.workflow}@${run.version}`,
      lease ? 'running' : 'pending',
      json(run.input),
      run.idempotencyKey ?? null,
      run.parentId ?? null,
      run.parentPosition ?? null,
      run.queue ?? 'default',
      run.concurrencyKey ?? null,
      run.concurrencyLimit ?? null,
      lease ? lease.until : (run.nextAt ?? run.createdAt),
      lease?.owner ?? null,
      lease?.until ?? null,
      lease ? 1 : 0,
      lease ? 1 : 0,
      run.createdAt,
      run.createdAt,
      lease ? run.createdAt : null,
    );
    if (run.tags) this.setTags(run.id, run.tags);
    this.history(run.id, {
      type: 'run.created',
      at: run.createdAt,
      data: { workflow: run.workflow, version: run.version, parentId: run.parentId },
    });
    if (lease) this.history(run.id, { type: 'run.started', at: run.createdAt, data: { owner: lease.owner } });
  }

  /** The record of a run just inserted, built without reading it back. */
  private insertedRecord(run: NewRun, lease?: { owner: string; until: number }): RunRecord {
    const r: RunRecord = {
      id: run.id,
      workflow: run.workflow,
      version: run.version,
      status: lease ? 'running' : 'pending',
      input: run.input === undefined ? undefined : JSON.parse(JSON.stringify(run.input)),
      queue: run.queue ?? 'default',
      nextAt: lease ? lease.until : (run.nextAt ?? run.createdAt),
      leaseToken: lease ? 1 : 0,
      wakeSeq: 0,
      cancelRequested: false,
      claims: lease ? 1 : 0,
      tags: Object.fromEntries(Object.entries(run.tags ?? {}).map(([k, v]) => [k, String(v)])),
      createdAt: run.createdAt,
      updatedAt: run.createdAt,
    };
    if (r.input === undefined) delete r.input;
    if (run.idempotencyKey) r.idempotencyKey = run.idempotencyKey;
    if (run.parentId) r.parentId = run.parentId;
    if (run.parentPosition !== undefined) r.parentPosition = run.parentPosition;
    if (run.concurrencyKey) r.concurrencyKey = run.concurrencyKey;
    if (run.concurrencyLimit !== undefined) r.concurrencyLimit = run.concurrencyLimit;
    if (lease) {
      r.leaseOwner = lease.owner;
      r.leaseUntil = lease.until;
      r.startedAt = run.createdAt;
    }
    return r;
  }

  private upsertEntry(runId: string, e: JournalWrite): void {
    this.q(
      `INSERT INTO journal (run_id, position, kind, name, status, input, result, error, deadline, attempts, event_id, started_at, ended_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, position) DO UPDATE SET status = excluded.status, input = excluded.input,
         result = excluded.result, error = excluded.error, deadline = excluded.deadline, attempts = excluded.attempts,
         event_id = excluded.event_id, ended_at = excluded.ended_at`,
    ).run(
      runId,
      e.position,
      e.kind,
      e.name,
      e.status,
      json(e.input),
      json(e.result),
      json(e.error),
      e.deadline ?? null,
      e.attempts,
      e.eventId ?? null,
      e.startedAt,
      e.endedAt ?? null,
    );
  }

  private entry(runId: string, position: number): JournalEntry | undefined {
    const row = this.q('SELECT * FROM journal WHERE run_id = ? AND position = ?').get(runId, position) as
      | Row
      | undefined;
    return row ? toEntry(row) : undefined;
  }

  /** Completes a pending entry; false when it was no longer pending. */
  private completeEntry(
    runId: string,
    position: number,
    status: 'completed' | 'failed',
    payload: { result?: unknown; error?: unknown; eventId?: string },
    at: number,
  ): boolean {
    return (
      this.q(
        `UPDATE journal SET status = ?, result = ?, error = ?, event_id = ?, ended_at = ?
         WHERE run_id = ? AND position = ? AND status = 'pending'`,
      ).run(status, json(payload.result), json(payload.error), payload.eventId ?? null, at, runId, position)
        .changes > 0
    );
  }

  private findLookbackEvent(runId: string, wait: EventWaitInput): InboundEvent | undefined {
    const rows = this.q(
      `SELECT * FROM events WHERE type = ? AND received_at >= ?
         AND id NOT IN (SELECT event_id FROM journal WHERE run_id = ? AND event_id IS NOT NULL)
       ORDER BY received_at, id`,
    ).all(wait.type, wait.since, runId) as Row[];
    for (const r of rows) {
      const ev = toEvent(r);
      if (matchesEvent(wait.match, ev.data)) return ev;
    }
    return undefined;
  }

  /** Ends a run: terminal status, lease released, parent told, open tasks and children cancelled. */
  private finish(run: Row, t: RunTransition, at: number): void {
    const runId = run.id as string;
    this.q(
      `UPDATE runs SET status = ?, output = ?, error = ?, next_at = NULL, lease_owner = NULL, lease_until = NULL,
         ended_at = ?, updated_at = ? WHERE id = ?`,
    ).run(t.status, json(t.output), json(t.error), at, at, runId);
    this.q(
      `UPDATE tasks SET status = 'cancelled', updated_at = ? WHERE run_id = ? AND status IN ('open','claimed')`,
    ).run(at, runId);
    if (t.status === 'cancelled') {
      for (const child of this.q(
        `SELECT * FROM runs WHERE parent_id = ? AND status NOT IN ('completed','failed','cancelled','compensated')`,
      ).all(runId) as Row[]) {
        this.cancelRow(child, at, `parent ${runId} was cancelled`);
      }
    }
    const parentId = run.parent_id as string | null;
    if (parentId) {
      const pos = run.parent_position as number;
      const ok =
        t.status === 'completed'
          ? this.completeEntry(parentId, pos, 'completed', { result: t.output }, at)
          : this.completeEntry(
              parentId,
              pos,
              'failed',
              {
                error: {
                  name: 'ChildFailedError',
                  message: t.error?.message ?? t.status,
                  details: { childStatus: t.status, childRunId: runId, failure: t.error },
                },
              },
              at,
            );
      if (ok) this.wake(parentId, at);
    }
  }

  private cancelRow(run: Row, at: number, reason: string): void {
    const leased = run.lease_until !== null && (run.lease_until as number) >= at;
    if (leased) {
      this.q(
        'UPDATE runs SET cancel_requested = 1, wake_seq = wake_seq + 1, updated_at = ? WHERE id = ?',
      ).run(at, run.id);
      this.history(run.id as string, { type: 'run.cancel_requested', at, data: { reason } });
      return;
    }
    this.q('UPDATE runs SET cancel_requested = 1 WHERE id = ?').run(run.id);
    this.finish(
      run,
      { status: 'cancelled', error: { name: 'CancelledError', message: reason }, release: true },
      at,
    );
    this.history(run.id as string, { type: 'run.cancelled', at, data: { reason } });
  }

  // ---------------------------------------------------------------- runs

  createRun(
    run: NewRun,
    claim?: { owner: string; leaseMs: number },
  ): Promise<{ run: RunRecord; created: boolean; claimed: boolean }> {
    return this.write(() => {
      if (run.idempotencyKey) {
        const existing = this.q('SELECT * FROM runs WHERE idempotency_key = ?').get(run.idempotencyKey) as
          | Row
          | undefined;
        if (existing)
          return { run: toRun(existing, this.tagsOf(existing.id as string)), created: false, claimed: false };
      }
      const canClaim =
        claim !== undefined &&
        (!run.concurrencyKey || this.activeForKey(run.concurrencyKey) < (run.concurrencyLimit ?? 1));
      const lease = canClaim ? { owner: claim.owner, until: run.createdAt + claim.leaseMs } : undefined;
      this.insertRun(run, lease);
      return { run: this.insertedRecord(run, lease), created: true, claimed: canClaim };
    });
  }

  getRun(id: string): Promise<RunRecord | undefined> {
    return this.read(() => {
      const row = this.runRow(id);
      return row ? toRun(row, this.tagsOf(id)) : undefined;
    });
  }

  searchRuns(query: RunQuery): Promise<RunRecord[]> {
    return this.read(() => {
      const where: string[] = [];
      const params: unknown[] = [];
      if (query.status) {
        const list = Array.isArray(query.status) ? query.status : [query.status];
        where.push(`status IN (${list.map(() => '?').join(',')})`);
        params.push(...list);
      }
      if (query.workflow) {
        where.push('workflow = ?');
        params.push(query.workflow);
      }
      if (query.version !== undefined) {
        where.push('version = ?');
        params.push(query.version);
      }
      if (query.parentId) {
        where.push('parent_id = ?');
        params.push(query.parentId);
      }
      if (query.createdAfter !== undefined) {
        where.push('created_at >= ?');
        params.push(query.createdAfter);
      }
      if (query.createdBefore !== undefined) {
        where.push('created_at < ?');
        params.push(query.createdBefore);
      }
      if (query.before) {
        where.push('id < ?');
        params.push(query.before);
      }
      for (const [k, v] of Object.entries(query.tags ?? {})) {
        where.push(
          'EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = runs.id AND t.key = ? AND t.value = ?)',
        );
        params.push(k, String(v));
      }
      const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
      params.push(Math.min(query.limit ?? 100, 10_000));
      return (this.db.prepare(sql).all(...params) as Row[]).map((r) => toRun(r, this.tagsOf(r.id as string)));
    });
  }

  loadJournal(runId: string): Promise<JournalEntry[]> {
    return this.read(() =>
      (this.q('SELECT * FROM journal WHERE run_id = ? ORDER BY position').all(runId) as Row[]).map(toEntry),
    );
  }

  loadHistory(runId: string): Promise<HistoryRecord[]> {
    return this.read(() =>
      (this.q('SELECT * FROM history WHERE run_id = ? ORDER BY id').all(runId) as Row[]).map(toHistory),
    );
  }

  listTimers(query: { dueBefore?: number; limit?: number }): Promise<TimerRecord[]> {
    return this.read(() =>
      (
        this.q(
          `SELECT run_id, position, kind, name, deadline FROM journal
           WHERE status = 'pending' AND deadline IS NOT NULL AND deadline <= ? ORDER BY deadline LIMIT ?`,
        ).all(query.dueBefore ?? Number.MAX_SAFE_INTEGER, query.limit ?? 100) as Row[]
      ).map((r) => ({
        runId: r.run_id as string,
        position: r.position as number,
        kind: r.kind as TimerRecord['kind'],
        name: r.name as string,
        deadline: r.deadline as number,
      })),
    );
  }

  // ---------------------------------------------------------------- leases

  claimRuns(req: ClaimRequest): Promise<ClaimedRun[]> {
    if (req.limit <= 0) return Promise.resolve([]);
    return this.read(() =>
      // a cheap read first: an idle poll writes nothing
      this.q(
        `SELECT 1 FROM runs WHERE next_at <= ? AND (lease_until IS NULL OR lease_until < ?)
           AND status IN ('pending','running','waiting','compensating','stranded') LIMIT 1`,
      ).get(req.now, req.now),
    ).then((probe) => (probe ? this.claimNow(req) : []));
  }

  private claimNow(req: ClaimRequest): Promise<ClaimedRun[]> {
    return this.write(() => {
      const rows = this.q(
        `SELECT * FROM runs
         WHERE next_at <= ? AND (lease_until IS NULL OR lease_until < ?)
           AND status IN ('pending','running','waiting','compensating','stranded')
           AND wf_key IN (SELECT value FROM json_each(?))
           AND queue IN (SELECT value FROM json_each(?))
           AND (concurrency_key IS NULL OR status IN ${ACTIVE}
             OR (SELECT count(*) FROM runs a WHERE a.concurrency_key = runs.concurrency_key AND a.status IN ${ACTIVE})
               < coalesce(concurrency_limit, 1))
         ORDER BY next_at, id LIMIT ?`,
      ).all(
        req.now,
        req.now,
        JSON.stringify(req.workflows),
        JSON.stringify(req.queues ?? ['default']),
        req.limit * 4,
      ) as Row[];
      const taken = new Map<string, number>();
      const out: ClaimedRun[] = [];
      const until = req.now + req.leaseMs;
      for (const r of rows) {
        if (out.length >= req.limit) break;
        const key = r.concurrency_key as string | null;
        const fresh = r.started_at === null;
        // runs already running, waiting or compensating hold their slot; any other run needs a free one
        if (key && !['running', 'waiting', 'compensating'].includes(r.status as string)) {
          const active = (taken.get(key) ?? this.activeForKey(key)) as number;
          if (active >= ((r.concurrency_limit as number | null) ?? 1)) continue;
          taken.set(key, active + 1);
        }
        this.q(
          `UPDATE runs SET status = CASE WHEN status = 'compensating' THEN status ELSE 'running' END,
             lease_owner = ?, lease_until = ?, next_at = ?, lease_token = lease_token + 1, claims = claims + 1,
             started_at = coalesce(started_at, ?), updated_at = ? WHERE id = ?`,
        ).run(req.owner, until, until, req.now, req.now, r.id);
        const recovered = r.lease_owner !== null;
        const type = fresh ? 'run.started' : recovered ? 'run.recovered' : 'run.resumed';
        this.history(r.id as string, {
          type,
          at: req.now,
          data: recovered ? { owner: req.owner, previousOwner: r.lease_owner } : { owner: req.owner },
        });
        out.push({ run: this.mustRun(r.id as string), recovered });
      }
      return out;
    });
  }

  heartbeat(
    owner: string,
    leases: Array<{ runId: string; token: number }>,
    leaseMs: number,
    now: number,
  ): Promise<string[]> {
    if (leases.length === 0) return Promise.resolve([]);
    return this.write(() => {
      const lost: string[] = [];
      const until = now + leaseMs;
      const stmt = this.q(
        'UPDATE runs SET lease_until = ?, next_at = ? WHERE id = ? AND lease_owner = ? AND lease_token = ?',
      );
      for (const l of leases)
        if (stmt.run(until, until, l.runId, owner, l.token).changes === 0) lost.push(l.runId);
      return lost;
    });
  }

  markStranded(known: string[], now: number): Promise<string[]> {
    return this.write(() => {
      const rows = this.q(
        `SELECT id, workflow, version FROM runs WHERE next_at <= ? AND (lease_until IS NULL OR lease_until < ?)
           AND status IN ('pending','running','waiting','compensating')
           AND wf_key NOT IN (SELECT value FROM json_each(?))`,
      ).all(now, now, JSON.stringify(known)) as Row[];
      for (const r of rows) {
        this.q("UPDATE runs SET status = 'stranded', updated_at = ? WHERE id = ?").run(now, r.id);
        this.history(r.id as string, {
          type: 'run.stranded',
          at: now,
          data: { reason: `workflow ${r.workflow} version ${r.version} is not registered` },
        });
      }
      return rows.map((r) => r.id as string);
    });
  }

  // ---------------------------------------------------------------- the execution write path

  commit(unit: CommitUnit): Promise<CommitResult> {
    return this.write((): CommitResult => {
      const run = this.q(
        'SELECT id, status, lease_token, wake_seq, cancel_requested, next_at, parent_id, parent_position FROM runs WHERE id = ?',
      ).get(unit.runId) as Row | undefined;
      // a finished run (for example cancelled after its worker's lease expired) takes no more writes
      if (!run || run.lease_token !== unit.leaseToken || isTerminal(run.status as RunRecord['status'])) {
        return { ok: false, reason: 'lease-lost' };
      }
      const at = unit.at;
      const resolved: JournalEntry[] = [];
      for (const e of unit.journal ?? []) this.upsertEntry(unit.runId, e);
      for (const w of unit.eventWaits ?? []) {
        this.upsertEntry(unit.runId, w);
        const ev = this.findLookbackEvent(unit.runId, w.input);
        if (
          ev &&
          this.completeEntry(unit.runId, w.position, 'completed', { result: ev, eventId: ev.id }, at)
        ) {
          this.history(unit.runId, {
            type: 'event.matched',
            position: w.position,
            at,
            data: { eventId: ev.id, type: ev.type, lookback: true },
          });
          resolved.push(this.entry(unit.runId, w.position)!);
        }
      }
      for (const t of unit.timeouts ?? []) {
        if (!this.completeEntry(unit.runId, t.position, 'completed', { result: t.result }, at)) {
          const e = this.entry(unit.runId, t.position);
          if (e) resolved.push(e);
        }
      }
      if (unit.tags) this.setTags(unit.runId, unit.tags);
      for (const h of unit.history ?? []) this.history(unit.runId, h);
      for (const o of unit.outbox ?? []) {
        this.q(
          'INSERT INTO outbox (id, run_id, position, type, subject, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
        ).run(o.id, unit.runId, o.position, o.type, o.subject ?? null, json(o.data), at);
      }
      for (const t of unit.tasks ?? []) this.insertTask(t);
      for (const c of unit.children ?? []) {
        if (c.idempotencyKey && this.q('SELECT 1 FROM runs WHERE idempotency_key = ?').get(c.idempotencyKey))
          continue;
        this.insertRun(c);
      }
      const t = unit.run;
      if (t) {
        if (isTerminal(t.status)) {
          this.finish(run, t, at);
        } else {
          const woken = (run.wake_seq as number) !== unit.wakeSeq;
          const nextAt = woken ? at : (t.nextAt ?? null);
          this.q(
            `UPDATE runs SET status = ?, next_at = ?, error = ?,
               lease_owner = CASE WHEN ? THEN NULL ELSE lease_owner END,
               lease_until = CASE WHEN ? THEN NULL ELSE lease_until END, updated_at = ? WHERE id = ?`,
          ).run(
            t.status,
            t.release ? nextAt : run.next_at,
            json(t.error),
            t.release ? 1 : 0,
            t.release ? 1 : 0,
            at,
            unit.runId,
          );
        }
      }
      return { ok: true, resolved, cancelRequested: run.cancel_requested === 1 };
    });
  }

  private insertTask(t: NewTask): void {
    this.q(
      `INSERT INTO tasks (id, run_id, position, kind, title, role, assignee, data, form, outcomes, status, due_at,
         escalate_to, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    ).run(
      t.id,
      t.runId,
      t.position,
      t.kind,
      t.title,
      t.role,
      t.assignee ?? null,
      json(t.data),
      json(t.form),
      JSON.stringify(t.outcomes),
      t.dueAt ?? null,
      t.escalateTo ?? null,
      t.createdAt,
      t.createdAt,
    );
  }

  // ---------------------------------------------------------------- operations from outside a lease

  requestCancel(runId: string, now: number, reason: string): Promise<RunRecord> {
    return this.write(() => {
      const row = this.runRow(runId);
      if (!row) throw new NotFoundError('run', runId);
      const status = row.status as RunRecord['status'];
      if (status === 'cancelled') return this.mustRun(runId);
      if (isTerminal(status)) throw new ConflictError(`run ${runId} is already ${status}`, { status });
      this.cancelRow(row, now, reason);
      return this.mustRun(runId);
    });
  }

  resetRun(runId: string, mode: ResetMode, now: number): Promise<RunRecord> {
    return this.write(() => {
      const row = this.runRow(runId);
      if (!row) throw new NotFoundError('run', runId);
      const status = row.status as RunRecord['status'];
      let from: number;
      if (mode.kind === 'retry') {
        if (status !== 'failed')
          throw new ConflictError(`only failed runs can be retried; run ${runId} is ${status}`, { status });
        const failed = this.q(
          "SELECT min(position) AS p FROM journal WHERE run_id = ? AND status = 'failed'",
        ).get(runId) as Row;
        from = (failed.p as number | null) ?? Number.MAX_SAFE_INTEGER;
      } else {
        if (!Number.isInteger(mode.from) || mode.from < 0)
          throw new ConflictError(`restart position must be a non-negative integer, got ${mode.from}`);
        const leased = row.lease_until !== null && (row.lease_until as number) >= now;
        if (leased)
          throw new ConflictError(`run ${runId} is executing; cancel it or wait before restarting`, {
            status,
          });
        from = mode.from;
      }
      this.q('DELETE FROM journal WHERE run_id = ? AND position >= ?').run(runId, from);
      this.q(
        "UPDATE tasks SET status = 'cancelled', updated_at = ? WHERE run_id = ? AND position >= ? AND status IN ('open','claimed')",
      ).run(now, runId, from);
      this.q(
        `UPDATE runs SET status = 'pending', output = NULL, error = NULL, ended_at = NULL, next_at = ?, cancel_requested = 0,
           wake_seq = wake_seq + 1, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ?`,
      ).run(now, now, runId);
      this.history(runId, {
        type: mode.kind === 'retry' ? 'run.retried' : 'run.restarted',
        at: now,
        data: { from: from === Number.MAX_SAFE_INTEGER ? null : from, previousStatus: status },
      });
      return this.mustRun(runId);
    });
  }

  deliverEvent(event: InboundEvent): Promise<DeliverResult> {
    return this.write(() => this.deliver([event])[0]!);
  }

  /**
   * Puts events into the inbox and completes the pending waits they match, inside the caller's
   * transaction. In order, each new event completes the first matching wait of each run (one per
   * run) that is still pending, and wakes that run; a known event id is a duplicate and wakes
   * nothing. The pending waits of a type are read once for all the events of that type.
   */
  private deliver(events: InboundEvent[]): DeliverResult[] {
    const insert = this.q(
      'INSERT INTO events (id, type, source, subject, data, received_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
    );
    const waitsOf = new Map<
      string,
      Array<{ runId: string; position: number; input: EventWaitInput; pending: boolean }>
    >();
    return events.map((event): DeliverResult => {
      const inserted = insert.run(
        event.id,
        event.type,
        event.source ?? null,
        event.subject ?? null,
        json(event.data),
        event.receivedAt,
      );
      if (inserted.changes === 0) {
        const stored = toEvent(this.q('SELECT * FROM events WHERE id = ?').get(event.id) as Row);
        return { event: stored, duplicate: true, woke: [] };
      }
      let waits = waitsOf.get(event.type);
      if (!waits) {
        waits = (
          this.q(
            "SELECT run_id, position, input FROM journal WHERE kind = 'event' AND status = 'pending' AND name = ? ORDER BY run_id, position",
          ).all(event.type) as Row[]
        ).map((w) => ({
          runId: w.run_id as string,
          position: w.position as number,
          input: JSON.parse(w.input as string) as EventWaitInput,
          pending: true,
        }));
        waitsOf.set(event.type, waits);
      }
      const woke: string[] = [];
      for (const w of waits) {
        if (!w.pending || woke.includes(w.runId)) continue; // one event satisfies one wait per run
        if (event.receivedAt < w.input.since || !matchesEvent(w.input.match, event.data)) continue;
        const payload = { result: event, eventId: event.id };
        w.pending = false;
        if (this.completeEntry(w.runId, w.position, 'completed', payload, event.receivedAt)) {
          this.history(w.runId, {
            type: 'event.matched',
            position: w.position,
            at: event.receivedAt,
            data: { eventId: event.id, type: event.type },
          });
          this.wake(w.runId, event.receivedAt);
          woke.push(w.runId);
        }
      }
      return { event, duplicate: false, woke };
    });
  }

  // ---------------------------------------------------------------- tasks

  getTask(id: string): Promise<TaskRecord | undefined> {
    return this.read(() => {
      const row = this.q('SELECT * FROM tasks WHERE id = ?').get(id) as Row | undefined;
      return row ? toTask(row) : undefined;
    });
  }

  listTasks(query: TaskQuery): Promise<TaskRecord[]> {
    return this.read(() => {
      const where: string[] = [];
      const params: unknown[] = [];
      if (query.role) {
        where.push('role = ?');
        params.push(query.role);
      }
      if (query.assignee) {
        where.push('assignee = ?');
        params.push(query.assignee);
      }
      if (query.runId) {
        where.push('run_id = ?');
        params.push(query.runId);
      }
      if (query.status) {
        const list = Array.isArray(query.status) ? query.status : [query.status];
        where.push(`status IN (${list.map(() => '?').join(',')})`);
        params.push(...list);
      }
      if (query.overdueAt !== undefined) {
        where.push("status IN ('open','claimed') AND due_at IS NOT NULL AND due_at <= ?");
        params.push(query.overdueAt);
      }
      const sql = `SELECT * FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY coalesce(due_at, 9e15), created_at, id LIMIT ?`;
      params.push(Math.min(query.limit ?? 100, 10_000));
      return (this.db.prepare(sql).all(...params) as Row[]).map(toTask);
    });
  }

  changeTask(id: string, change: TaskChange, now: number): Promise<TaskRecord> {
    return this.write(() => {
      const row = this.q('SELECT * FROM tasks WHERE id = ?').get(id) as Row | undefined;
      if (!row) throw new NotFoundError('task', id);
      const task = toTask(row);
      if (task.status === 'completed' || task.status === 'cancelled') {
        throw new ConflictError(`task ${id} is already ${task.status}`, { status: task.status });
      }
      const upd = this.q(
        `UPDATE tasks SET status = ?, role = ?, assignee = ?, claimed_by = ?, delegated_from = ?, outcome = ?, "values" = ?,
           decided_by = ?, completed_at = ?, updated_at = ? WHERE id = ?`,
      );
      const next = { ...task };
      let type: string;
      let data: Record<string, unknown>;
      switch (change.action) {
        case 'claim':
          if (task.status === 'claimed' && task.claimedBy !== change.by) {
            throw new ConflictError(`task ${id} is already claimed by ${task.claimedBy}`);
          }
          Object.assign(next, { status: 'claimed', claimedBy: change.by, assignee: change.by });
          type = 'task.claimed';
          data = { by: change.by };
          break;
        case 'reassign':
          if (change.role !== undefined) next.role = change.role;
          if (change.assignee !== undefined) next.assignee = change.assignee ?? undefined;
          next.status = 'open';
          next.claimedBy = undefined;
          type = 'task.reassigned';
          data = {
            by: change.by,
            role: next.role,
            assignee: next.assignee,
            previousRole: task.role,
            previousAssignee: task.assignee,
          };
          break;
        case 'delegate':
          next.delegatedFrom = task.assignee ?? change.by;
          next.assignee = change.to;
          next.status = 'open';
          next.claimedBy = undefined;
          type = 'task.delegated';
          data = { by: change.by, from: next.delegatedFrom, to: change.to };
          break;
        case 'complete': {
          if (!task.outcomes.includes(change.outcome)) {
            throw new ConflictError(`outcome "${change.outcome}" is not one of ${task.outcomes.join(', ')}`);
          }
          Object.assign(next, {
            status: 'completed',
            outcome: change.outcome,
            values: change.values,
            decidedBy: change.by,
            completedAt: now,
          });
          const result = { outcome: change.outcome, values: change.values, by: change.by, at: now };
          if (!this.completeEntry(task.runId, task.position, 'completed', { result }, now)) {
            throw new ConflictError(`run ${task.runId} no longer waits for task ${id}`);
          }
          this.wake(task.runId, now);
          type = 'task.completed';
          data = { by: change.by, outcome: change.outcome };
          break;
        }
      }
      upd.run(
        next.status,
        next.role,
        next.assignee ?? null,
        next.claimedBy ?? null,
        next.delegatedFrom ?? null,
        next.outcome ?? null,
        json(next.values),
        next.decidedBy ?? null,
        next.completedAt ?? null,
        now,
        id,
      );
      this.history(task.runId, { type, position: task.position, at: now, data: { taskId: id, ...data } });
      return toTask(this.q('SELECT * FROM tasks WHERE id = ?').get(id) as Row);
    });
  }

  escalateDueTasks(now: number): Promise<TaskRecord[]> {
    return this.write(() => {
      const rows = this.q(
        "SELECT * FROM tasks WHERE status IN ('open','claimed') AND due_at IS NOT NULL AND due_at <= ? AND escalated_at IS NULL",
      ).all(now) as Row[];
      const out: TaskRecord[] = [];
      for (const r of rows) {
        const t = toTask(r);
        if (t.escalateTo) {
          this.q(
            `UPDATE tasks SET role = ?, assignee = NULL, claimed_by = NULL, status = 'open', escalated_at = ?, updated_at = ?
             WHERE id = ? AND escalated_at IS NULL`,
          ).run(t.escalateTo, now, now, t.id);
        } else {
          this.q(
            'UPDATE tasks SET escalated_at = ?, updated_at = ? WHERE id = ? AND escalated_at IS NULL',
          ).run(now, now, t.id);
        }
        this.history(t.runId, {
          type: t.escalateTo ? 'task.escalated' : 'task.overdue',
          position: t.position,
          at: now,
          data: { taskId: t.id, from: t.role, to: t.escalateTo, dueAt: t.dueAt },
        });
        out.push(toTask(this.q('SELECT * FROM tasks WHERE id = ?').get(t.id) as Row));
      }
      return out;
    });
  }

  // ---------------------------------------------------------------- outbox

  readOutbox(query: {
    afterSeq?: number;
    unpublishedOnly?: boolean;
    limit?: number;
  }): Promise<OutboxRecord[]> {
    return this.read(() =>
      (
        this.q(
          `SELECT * FROM outbox WHERE seq > ? AND (? = 0 OR published_at IS NULL) ORDER BY seq LIMIT ?`,
        ).all(query.afterSeq ?? 0, query.unpublishedOnly ? 1 : 0, query.limit ?? 100) as Row[]
      ).map(toOutbox),
    );
  }

  markPublished(seqs: number[], now: number): Promise<void> {
    return this.write(() => {
      const stmt = this.q('UPDATE outbox SET published_at = ? WHERE seq = ? AND published_at IS NULL');
      for (const s of seqs) stmt.run(now, s);
    });
  }
}
