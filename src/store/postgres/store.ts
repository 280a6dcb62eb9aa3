import { ConflictError, NotFoundError, type StoreError } from '../../core/index.js';
import type { ConnectorStore } from '../connectors.js';
import type { GovernanceStore } from '../governance.js';
import { GroupCommitter } from '../group-commit.js';
import { matchesEvent } from '../match.js';
import type { RuleStore } from '../rules.js';
import type {
  ClaimedRun,
  ClaimRequest,
  CommitResult,
  CommitUnit,
  DeliverResult,
  EventWaitInput,
  HistoryRecord,
  InboundEvent,
  JournalEntry,
  JournalWrite,
  NewRun,
  NewTask,
  OutboxRecord,
  ResetMode,
  ResourceGrant,
  ResourceRequest,
  RunQuery,
  RunRecord,
  RunTransition,
  Store,
  StoreCapabilities,
  StoreStats,
  TaskChange,
  TaskQuery,
  TaskRecord,
  TimerRecord,
} from '../types.js';
import { isTerminal } from '../types.js';
import {
  COMMIT_MANY_SQL,
  CREATE_MANY_SQL,
  commitManyParams,
  commitManyResults,
  createManyParams,
  isSimpleCommit,
  type NewRunRequest,
} from './commit-many.js';
import { PostgresConnectors } from './connectors.js';
import type { PgClient, PgPool, PgPoolClient, PgRow } from './driver.js';
import { DEFERRED, Gatherer } from './gather.js';
import { PostgresGovernance } from './governance.js';
import { deliverEvents } from './inbox.js';
import { WakeListener } from './listener.js';
import { quoteIdent } from './migrate.js';
import { paramList } from './params.js';
import {
  ENTRY_COLUMNS,
  EVENT_COLUMNS,
  insertedRun,
  json,
  RUN_WITH_TAGS,
  TASK_COLUMNS,
  toEntry,
  toEvent,
  toHistory,
  toOutbox,
  toRun,
  toTask,
} from './rows.js';
import { PostgresRules } from './rules.js';
import { type AdvisoryLock, type Operation, retryable, runBatch, Session, type Tx } from './transaction.js';

type Row = PgRow;
type Lease = { owner: string; until: number };

const ACTIVE = "('running','waiting','compensating')";
const ACTIVE_STATUSES = ['running', 'waiting', 'compensating'];
const RUNNABLE = "('pending','running','waiting','compensating','stranded')";
const TERMINAL = "('completed','failed','cancelled','compensated')";
/** Sorts after every real due time, so tasks without one come last. */
const NO_DUE = '9000000000000000';
/**
 * Operations per transaction. Each runs in a savepoint, and PostgreSQL keeps the ids of up to 64
 * subtransactions per backend in shared memory; beyond that every other session's snapshots get slower.
 */
const MAX_BATCH = 64;
/** Batch transactions in flight at once, each on its own pooled connection. */
const CONCURRENT_BATCHES = 4;
/** Tries of a write that keeps losing deadlocks. */
const MAX_ATTEMPTS = 3;

/**
 * Runnable runs, due and not under a live lease, of the given workflow versions and queues, whose
 * concurrency key (if any) has a free slot or which already hold one. The planner answers it from the
 * partial index `runs_runnable` in (next_at, id) order, so finished runs never enter the scan.
 */
const CLAIMABLE = `status IN ${RUNNABLE} AND next_at <= $1 AND (lease_until IS NULL OR lease_until < $1)
  AND wf_key = ANY($2::text[]) AND queue = ANY($3::text[])
  AND (concurrency_key IS NULL OR status IN ${ACTIVE}
    OR (SELECT count(*) FROM runs a WHERE a.concurrency_key = runs.concurrency_key AND a.status IN ${ACTIVE})
      < coalesce(concurrency_limit, 1))`;

/**
 * The claim query. Its plan (`explainClaim`, checked in test/store/postgres.test.ts against 52,000
 * finished and waiting runs), the generic one prepared statements settle on:
 *
 *   Limit
 *     ->  LockRows
 *           ->  Index Scan using runs_runnable on runs
 *                 Index Cond: (next_at <= $1)
 *                 Filter: (lease_until IS NULL OR lease_until < $1) AND wf_key = ANY ($2) AND queue = ANY ($3)
 *                   AND (concurrency_key IS NULL OR status = ANY ('{running,waiting,compensating}')
 *                     OR (SubPlan 1) < COALESCE(concurrency_limit, 1))
 *                 SubPlan 1
 *                   ->  Aggregate
 *                         ->  Index Only Scan using runs_concurrency on runs a
 *                               Index Cond: (concurrency_key = runs.concurrency_key)
 *
 * The scan walks the runnable runs in (next_at, id) order and stops after the limit; no sort, and no
 * row of a finished run is read. Per-key counts read the partial index of active runs.
 */
export const CLAIM_SQL = `SELECT id, status, lease_owner, started_at, concurrency_key, concurrency_limit FROM runs
  WHERE ${CLAIMABLE}
  ORDER BY next_at, id LIMIT $4
  FOR UPDATE SKIP LOCKED`;

/**
 * The common part of a commit unit in one statement: the fencing check under the run's row lock, and
 * only when it passes, the journal entries, tags, history, outbox rows and a non-terminal transition.
 * Returns the run row as it was before the unit; no row, or a row with another lease token or a
 * terminal status, means nothing was written.
 */
const COMMIT_SQL = `WITH run AS (
    SELECT id, status, lease_token, wake_seq, cancel_requested, next_at, parent_id, parent_position
    FROM runs WHERE id = $1 FOR UPDATE),
  ok AS (SELECT id, wake_seq FROM run WHERE lease_token = $2 AND status NOT IN ${TERMINAL}),
  j AS (
    INSERT INTO journal (run_id, position, kind, name, status, input, result, error, deadline, attempts,
      event_id, started_at, ended_at)
    SELECT ok.id, e.position, e.kind, e.name, e.status, e.input, e.result, e.error, e.deadline, e.attempts,
      e.event_id, e.started_at, e.ended_at
    FROM ok, unnest($4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
      $11::bigint[], $12::int[], $13::text[], $14::bigint[], $15::bigint[])
      AS e(position, kind, name, status, input, result, error, deadline, attempts, event_id, started_at, ended_at)
    ON CONFLICT (run_id, position) DO UPDATE SET status = excluded.status, input = excluded.input,
      result = excluded.result, error = excluded.error, deadline = excluded.deadline,
      attempts = excluded.attempts, event_id = excluded.event_id, ended_at = excluded.ended_at),
  g AS (
    INSERT INTO run_tags (run_id, key, value)
    SELECT ok.id, g.k, g.v FROM ok, unnest($16::text[], $17::text[]) AS g(k, v)
    ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value),
  h AS (
    INSERT INTO history (run_id, type, position, at, data)
    SELECT ok.id, h.type, h.position, h.at, h.data
    FROM ok, unnest($18::text[], $19::int[], $20::bigint[], $21::text[]) WITH ORDINALITY AS h(type, position, at, data, n)
    ORDER BY h.n),
  o AS (
    INSERT INTO outbox (id, run_id, position, type, subject, data, created_at)
    SELECT o.id, ok.id, o.position, o.type, o.subject, o.data, $3
    FROM ok, unnest($22::text[], $23::int[], $24::text[], $25::text[], $26::text[])
      WITH ORDINALITY AS o(id, position, type, subject, data, n)
    ORDER BY o.n
    ON CONFLICT (id) DO NOTHING),
  t AS (
    UPDATE runs SET status = $27, error = $28, updated_at = $3,
      next_at = CASE WHEN NOT $29 THEN runs.next_at WHEN ok.wake_seq <> $30 THEN $3 ELSE $31 END,
      lease_owner = CASE WHEN $29 THEN NULL ELSE runs.lease_owner END,
      lease_until = CASE WHEN $29 THEN NULL ELSE runs.lease_until END
    FROM ok WHERE runs.id = ok.id AND $27::text IS NOT NULL)
  SELECT id, status, lease_token, wake_seq, cancel_requested, next_at, parent_id, parent_position FROM run`;

function commitParams(
  unit: CommitUnit,
  journal: JournalWrite[],
  historyLater: boolean,
  transition: RunTransition | undefined,
): unknown[] {
  const tags = Object.entries(unit.tags ?? {});
  const history = historyLater ? [] : (unit.history ?? []);
  const outbox = unit.outbox ?? [];
  return [
    unit.runId,
    unit.leaseToken,
    unit.at,
    journal.map((e) => e.position),
    journal.map((e) => e.kind),
    journal.map((e) => e.name),
    journal.map((e) => e.status),
    journal.map((e) => json(e.input)),
    journal.map((e) => json(e.result)),
    journal.map((e) => json(e.error)),
    journal.map((e) => e.deadline ?? null),
    journal.map((e) => e.attempts),
    journal.map((e) => e.eventId ?? null),
    journal.map((e) => e.startedAt),
    journal.map((e) => e.endedAt ?? null),
    tags.map(([k]) => k),
    tags.map(([, v]) => String(v)),
    history.map((h) => h.type),
    history.map((h) => h.position ?? null),
    history.map((h) => h.at),
    history.map((h) => json(h.data)),
    outbox.map((o) => o.id),
    outbox.map((o) => o.position),
    outbox.map((o) => o.type),
    outbox.map((o) => o.subject ?? null),
    outbox.map((o) => json(o.data)),
    transition?.status ?? null,
    json(transition?.error),
    transition?.release ?? false,
    unit.wakeSeq,
    transition?.nextAt ?? null,
  ];
}

const ignore = () => {};

export interface PostgresStoreParts {
  pool: PgPool;
  schema: string;
  /** The channel of push wake-ups; writes that make a run runnable NOTIFY it. */
  channel: string;
  /** Creates a connection outside the pool for LISTEN. */
  listenClient: () => PgClient;
  /** Turns a failure to connect into the one-line error users see (no password in it). */
  cannotConnect: (err: unknown) => StoreError;
}

/**
 * The PostgreSQL store, for any number of processes on one database. Writes go through the group
 * committer, so operations queued while a transaction is in flight share the next one. Cross-process
 * races are closed with row locks (`FOR UPDATE`, `SKIP LOCKED` for claims) and transaction-scoped
 * advisory locks: one per concurrency key, so claimers in different processes count the key's active
 * runs one at a time, and one per event type, so registering an event wait and delivering an event
 * of that type never run side by side and miss each other.
 */
export class PostgresStore implements Store {
  readonly capabilities: StoreCapabilities = {
    multiProcess: true,
    pushWakeups: true,
    groupCommit: true,
    sharedLimits: true,
  };
  private readonly committer: GroupCommitter<Tx>;
  private readonly listeners = new Set<WakeListener>();
  private readonly notify: string;
  private readonly keyLock: string;
  private readonly eventLock: string;
  private closing: Promise<void> | undefined;

  constructor(private readonly parts: PostgresStoreParts) {
    this.notify = `NOTIFY ${quoteIdent(parts.channel)}`;
    this.keyLock = `${parts.schema}.concurrency`;
    this.eventLock = `${parts.schema}.events`;
    this.committer = new GroupCommitter<Tx>((ops) => this.transaction(ops), MAX_BATCH, CONCURRENT_BATCHES);
  }

  /** The schema the store's tables live in. */
  get schema(): string {
    return this.parts.schema;
  }

  private governanceStore: PostgresGovernance | undefined;

  /** Governance records, written through the same committer as the engine's writes. */
  get governance(): GovernanceStore {
    this.governanceStore ??= new PostgresGovernance({
      schema: this.parts.schema,
      write: (op, locks) => this.write(op, locks),
      read: (op) => this.read(op),
      deliver: deliverEvents,
      eventLocks: (types) => this.eventLocks(types),
    });
    return this.governanceStore;
  }

  private ruleStore: PostgresRules | undefined;

  /** Rule sets, drafts and regional overrides, written through the same committer. */
  get rules(): RuleStore {
    this.ruleStore ??= new PostgresRules({
      schema: this.parts.schema,
      write: (op, locks) => this.write(op, locks),
      read: (op) => this.read(op),
    });
    return this.ruleStore;
  }

  private connectorStore: PostgresConnectors | undefined;

  /** Call records and dead letters, written through the same committer. */
  get connectors(): ConnectorStore {
    this.connectorStore ??= new PostgresConnectors({
      write: (op) => this.write(op),
      read: (op) => this.read(op),
    });
    return this.connectorStore;
  }

  private async connect(): Promise<PgPoolClient> {
    let client: PgPoolClient;
    try {
      client = await this.parts.pool.connect();
    } catch (err) {
      throw this.parts.cannotConnect(err);
    }
    client.on('error', ignore);
    return client;
  }

  private release(client: PgPoolClient, err?: Error): void {
    client.removeListener('error', ignore);
    client.release(err);
  }

  private async transaction(ops: Operation[]) {
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      return await runBatch(client, ops, this.notify);
    } catch (err) {
      broken = err as Error;
      throw err;
    } finally {
      this.release(client, broken);
    }
  }

  /**
   * Queues a write for the next group-committed transaction, which takes `locks` before it runs. A
   * write that lost a deadlock goes into the next transaction, once the locks of this one are gone.
   */
  private async write<T>(op: (tx: Tx) => Promise<T>, locks?: AdvisoryLock[]): Promise<T> {
    if (this.closing) throw new ConflictError('store is closed');
    return this.writeNow(op, locks);
  }

  private async writeNow<T>(op: (tx: Tx) => Promise<T>, locks?: AdvisoryLock[]): Promise<T> {
    const operation: Operation = locks ? Object.assign(op, { locks }) : op;
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.committer.submit(operation)) as T;
      } catch (err) {
        if (!retryable(err) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }

  private async read<T>(op: (s: Session) => Promise<T>): Promise<T> {
    if (this.closing) throw new ConflictError('store is closed');
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      return await op(new Session(client));
    } catch (err) {
      broken = err as Error;
      throw err;
    } finally {
      this.release(client, broken);
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    // let queued writes land first; a database that is gone already cannot take them anyway
    this.creates.flush();
    this.commits.flush();
    await this.committer.submit(async () => undefined).catch(ignore);
    await Promise.all([...this.listeners].map((l) => l.stop()));
    this.listeners.clear();
    await this.parts.pool.end();
  }

  stats(): StoreStats {
    // commits written together by one statement count one operation each
    return {
      transactions: this.committer.transactions,
      operations: this.committer.operations + this.commits.shared + this.creates.shared,
    };
  }

  async watch(listener: () => void): Promise<() => Promise<void>> {
    if (this.closing) throw new ConflictError('store is closed');
    const wake = new WakeListener({
      createClient: this.parts.listenClient,
      channel: this.parts.channel,
      onWake: listener,
    });
    try {
      await wake.start();
    } catch (err) {
      throw this.parts.cannotConnect(err);
    }
    if (this.closing) {
      await wake.stop();
      throw new ConflictError('store is closed');
    }
    this.listeners.add(wake);
    return async () => {
      this.listeners.delete(wake);
      await wake.stop();
    };
  }

  /**
   * The plan of the claim query, from EXPLAIN (the query is not run). `generic` shows the plan
   * prepared statements settle on after a few runs, which cannot rely on the parameter values.
   */
  explainClaim(
    req: Pick<ClaimRequest, 'now' | 'workflows' | 'queues' | 'limit'>,
    options: { generic?: boolean } = {},
  ): Promise<string[]> {
    const values = [req.now, req.workflows, req.queues ?? ['default'], req.limit * 2];
    const lines = (rows: Row[]) => rows.map((r) => r['QUERY PLAN'] as string);
    return this.read(async (s) => {
      if (!options.generic) return lines(await s.adHoc(`EXPLAIN ${CLAIM_SQL}`, values));
      await s.adHoc('BEGIN', []);
      try {
        await s.adHoc('SET LOCAL plan_cache_mode = force_generic_plan', []);
        await s.adHoc(`PREPARE baton_explain_claim (bigint, text[], text[], bigint) AS ${CLAIM_SQL}`, []);
        // EXECUTE takes no bind parameters: its arguments are quoted as literals by the server
        const [execute] = await s.adHoc(
          "SELECT format('EXPLAIN EXECUTE baton_explain_claim (%L, %L, %L, %L)', $1::bigint, $2::text[], $3::text[], $4::bigint) AS sql",
          values,
        );
        return lines(await s.adHoc(execute!.sql as string, []));
      } finally {
        await s.adHoc('ROLLBACK', []);
        await s.adHoc('DEALLOCATE baton_explain_claim', []).catch(ignore);
      }
    });
  }

  // ---------------------------------------------------------------- helpers (run inside a transaction)

  private async mustRun(s: Session, id: string): Promise<RunRecord> {
    const row = await s.one(`SELECT ${RUN_WITH_TAGS} FROM runs WHERE id = $1`, [id]);
    if (!row) throw new NotFoundError('run', id);
    return toRun(row);
  }

  private keyLocks(keys: string[]): AdvisoryLock[] {
    return keys.map((key) => ({ space: this.keyLock, key }));
  }

  /**
   * Event-wait registration and event delivery of one type take the same lock, so they never run side
   * by side on different connections: whichever commits second sees the other's row.
   */
  private eventLocks(types: string[]): AdvisoryLock[] {
    return types.map((key) => ({ space: this.eventLock, key }));
  }

  /**
   * Counts the active runs of concurrency keys whose locks the transaction holds. The count is a
   * statement of its own after the locks are taken, so it sees every claim that committed before: a
   * claimer in another process holds the same lock until its transaction ends.
   */
  private async activeRuns(tx: Tx, keys: string[]): Promise<Map<string, number>> {
    const counts = await tx.rows(
      `SELECT concurrency_key AS key, count(*)::int AS n FROM runs
       WHERE concurrency_key = ANY($1::text[]) AND status IN ${ACTIVE} GROUP BY concurrency_key`,
      [keys],
    );
    return new Map(counts.map((r) => [r.key as string, r.n as number]));
  }

  /** Makes runs runnable now because something outside their lease changed (event, task, child). */
  private wake(tx: Tx, runIds: string[], now: number): void {
    if (runIds.length === 0) return;
    tx.send(
      `UPDATE runs SET wake_seq = wake_seq + 1, next_at = $1, updated_at = $1
       WHERE id = ANY($2::text[]) AND status NOT IN ${TERMINAL}`,
      [now, [...runIds].sort()],
    );
    tx.wake = true;
  }

  /**
   * Inserts a run with its tags and first history rows unless its idempotency key exists; the
   * statement returns the id when it inserted the run.
   */
  private insertRunStatement(run: NewRun, lease?: Lease): [string, unknown[]] {
    const tags = Object.entries(run.tags ?? {});
    const history: Array<[string, string | null]> = [
      ['run.created', json({ workflow: run.workflow, version: run.version, parentId: run.parentId })],
    ];
    if (lease) history.push(['run.started', json({ owner: lease.owner })]);
    return [
      `WITH r AS (
         INSERT INTO runs (id, workflow, version, wf_key, status, input, idempotency_key, parent_id, parent_position,
           queue, concurrency_key, concurrency_limit, next_at, lease_owner, lease_until, lease_token, claims,
           created_at, updated_at, started_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17, $17, $18)
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING id),
       t AS (
         INSERT INTO run_tags (run_id, key, value)
         SELECT r.id, kv.k, kv.v FROM r, unnest($19::text[], $20::text[]) AS kv(k, v)),
       h AS (
         INSERT INTO history (run_id, type, at, data)
         SELECT r.id, e.type, $17, e.data
         FROM r, unnest($21::text[], $22::text[]) WITH ORDINALITY AS e(type, data, n)
         ORDER BY e.n)
       SELECT id FROM r`,
      [
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
        run.createdAt,
        lease ? run.createdAt : null,
        tags.map(([k]) => k),
        tags.map(([, v]) => String(v)),
        history.map(([type]) => type),
        history.map(([, data]) => data),
      ],
    ];
  }

  private upsertEntries(tx: Tx, runId: string, entries: JournalWrite[]): void {
    if (entries.length === 0) return;
    // one statement cannot upsert the same row twice; a unit that writes a position twice goes one by one
    if (new Set(entries.map((e) => e.position)).size < entries.length) {
      for (const e of entries) this.upsertEntries(tx, runId, [e]);
      return;
    }
    tx.send(
      `INSERT INTO journal (run_id, position, kind, name, status, input, result, error, deadline, attempts,
         event_id, started_at, ended_at)
       SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
         $9::bigint[], $10::int[], $11::text[], $12::bigint[], $13::bigint[])
       ON CONFLICT (run_id, position) DO UPDATE SET status = excluded.status, input = excluded.input,
         result = excluded.result, error = excluded.error, deadline = excluded.deadline,
         attempts = excluded.attempts, event_id = excluded.event_id, ended_at = excluded.ended_at`,
      [
        runId,
        entries.map((e) => e.position),
        entries.map((e) => e.kind),
        entries.map((e) => e.name),
        entries.map((e) => e.status),
        entries.map((e) => json(e.input)),
        entries.map((e) => json(e.result)),
        entries.map((e) => json(e.error)),
        entries.map((e) => e.deadline ?? null),
        entries.map((e) => e.attempts),
        entries.map((e) => e.eventId ?? null),
        entries.map((e) => e.startedAt),
        entries.map((e) => e.endedAt ?? null),
      ],
    );
  }

  private async entry(tx: Tx, runId: string, position: number): Promise<JournalEntry | undefined> {
    const row = await tx.one(`SELECT ${ENTRY_COLUMNS} FROM journal WHERE run_id = $1 AND position = $2`, [
      runId,
      position,
    ]);
    return row ? toEntry(row) : undefined;
  }

  /** Completes a pending entry and returns it; undefined when it was no longer pending. */
  private async completeEntry(
    tx: Tx,
    runId: string,
    position: number,
    status: 'completed' | 'failed',
    payload: { result?: unknown; error?: unknown; eventId?: string },
    at: number,
  ): Promise<JournalEntry | undefined> {
    const row = await tx.one(
      `UPDATE journal SET status = $1, result = $2, error = $3, event_id = $4, ended_at = $5
       WHERE run_id = $6 AND position = $7 AND status = 'pending'
       RETURNING ${ENTRY_COLUMNS}`,
      [status, json(payload.result), json(payload.error), payload.eventId ?? null, at, runId, position],
    );
    return row ? toEntry(row) : undefined;
  }

  private async findLookbackEvent(
    tx: Tx,
    runId: string,
    wait: EventWaitInput,
  ): Promise<InboundEvent | undefined> {
    const rows = await tx.rows(
      `SELECT ${EVENT_COLUMNS} FROM events e WHERE type = $1 AND received_at >= $2
         AND NOT EXISTS (SELECT 1 FROM journal j WHERE j.run_id = $3 AND j.event_id = e.id)
       ORDER BY received_at, id`,
      [wait.type, wait.since, runId],
    );
    for (const r of rows) {
      const ev = toEvent(r);
      if (matchesEvent(wait.match, ev.data)) return ev;
    }
    return undefined;
  }

  /** Ends a run: terminal status, lease released, parent told, open tasks and children cancelled. */
  private async finish(tx: Tx, run: Row, t: RunTransition, at: number, cancel = false): Promise<void> {
    const runId = run.id as string;
    tx.send(
      `WITH t AS (
         UPDATE tasks SET status = 'cancelled', updated_at = $4 WHERE run_id = $5 AND status IN ('open','claimed'))
       UPDATE runs SET status = $1, output = $2, error = $3, next_at = NULL, lease_owner = NULL, lease_until = NULL,
         ended_at = $4, updated_at = $4, cancel_requested = cancel_requested OR $6 WHERE id = $5`,
      [t.status, json(t.output), json(t.error), at, runId, cancel],
    );
    if (t.status === 'cancelled') {
      const children = await tx.rows(
        `SELECT id, lease_until, parent_id, parent_position FROM runs
         WHERE parent_id = $1 AND status NOT IN ${TERMINAL} ORDER BY id FOR UPDATE`,
        [runId],
      );
      for (const child of children) await this.cancelRow(tx, child, at, `parent ${runId} was cancelled`);
    }
    const parentId = run.parent_id as string | null;
    if (parentId) {
      const failure = {
        name: 'ChildFailedError',
        message: t.error?.message ?? t.status,
        details: { childStatus: t.status, childRunId: runId, failure: t.error },
      };
      const ok = t.status === 'completed';
      // the parent's wait is completed and the parent woken in one statement
      tx.send(
        `WITH e AS (
           UPDATE journal SET status = $1, result = $2, error = $3, event_id = NULL, ended_at = $4
           WHERE run_id = $5 AND position = $6 AND status = 'pending' RETURNING run_id)
         UPDATE runs SET wake_seq = wake_seq + 1, next_at = $4, updated_at = $4
         WHERE id IN (SELECT run_id FROM e) AND status NOT IN ${TERMINAL}`,
        [
          ok ? 'completed' : 'failed',
          ok ? json(t.output) : null,
          ok ? null : json(failure),
          at,
          parentId,
          run.parent_position,
        ],
      );
      tx.wake = true;
    }
  }

  private async cancelRow(tx: Tx, run: Row, at: number, reason: string): Promise<void> {
    const runId = run.id as string;
    const leased = run.lease_until !== null && (run.lease_until as number) >= at;
    if (leased) {
      tx.send(
        'UPDATE runs SET cancel_requested = true, wake_seq = wake_seq + 1, updated_at = $1 WHERE id = $2',
        [at, runId],
      );
      tx.addHistory(runId, { type: 'run.cancel_requested', at, data: { reason } });
      tx.wake = true;
      return;
    }
    await this.finish(
      tx,
      run,
      { status: 'cancelled', error: { name: 'CancelledError', message: reason }, release: true },
      at,
      true,
    );
    tx.addHistory(runId, { type: 'run.cancelled', at, data: { reason } });
  }

  // ---------------------------------------------------------------- runs

  createRun(
    run: NewRun,
    claim?: { owner: string; leaseMs: number },
  ): Promise<{ run: RunRecord; created: boolean; claimed: boolean }> {
    if (this.closing) return Promise.reject(new ConflictError('store is closed'));
    // a run claimed at creation under a concurrency key must count the key's active runs under its lock
    if (claim && run.concurrencyKey) return this.createOne(run, claim);
    const lease = claim ? { owner: claim.owner, until: run.createdAt + claim.leaseMs } : undefined;
    return this.creates.add({ run, lease });
  }

  /** New runs of the same turn, inserted by one statement. */
  private readonly creates = new Gatherer<
    NewRunRequest,
    { run: RunRecord; created: boolean; claimed: boolean }
  >(
    (requests) =>
      this.writeNow(async (tx) => {
        const inserted = new Set(
          (await tx.rows(CREATE_MANY_SQL, createManyParams(requests))).map((r) => r.id as string),
        );
        return requests.map(({ run, lease }) => {
          // an existing idempotency key: looked up on its own
          if (!inserted.has(run.id)) return DEFERRED;
          if (!lease) tx.wake = true;
          return { run: insertedRun(run, lease), created: true, claimed: lease !== undefined };
        });
      }),
    ({ run, lease }) =>
      this.createOne(run, lease ? { owner: lease.owner, leaseMs: lease.until - run.createdAt } : undefined),
  );

  private createOne(
    run: NewRun,
    claim?: { owner: string; leaseMs: number },
  ): Promise<{ run: RunRecord; created: boolean; claimed: boolean }> {
    const key = claim ? run.concurrencyKey : undefined;
    return this.write(
      async (tx) => {
        let canClaim = claim !== undefined;
        if (key) canClaim = ((await this.activeRuns(tx, [key])).get(key) ?? 0) < (run.concurrencyLimit ?? 1);
        const lease =
          claim && canClaim ? { owner: claim.owner, until: run.createdAt + claim.leaseMs } : undefined;
        if (await tx.one(...this.insertRunStatement(run, lease))) {
          if (!lease) tx.wake = true;
          return { run: insertedRun(run, lease), created: true, claimed: lease !== undefined };
        }
        const existing = await tx.one(`SELECT ${RUN_WITH_TAGS} FROM runs WHERE idempotency_key = $1`, [
          run.idempotencyKey,
        ]);
        return { run: toRun(existing!), created: false, claimed: false };
      },
      key ? this.keyLocks([key]) : undefined,
    );
  }

  getRun(id: string): Promise<RunRecord | undefined> {
    return this.read(async (s) => {
      const row = await s.one(`SELECT ${RUN_WITH_TAGS} FROM runs WHERE id = $1`, [id]);
      return row ? toRun(row) : undefined;
    });
  }

  searchRuns(query: RunQuery): Promise<RunRecord[]> {
    return this.read(async (s) => {
      const where: string[] = [];
      const { values: params, add: param } = paramList();
      if (query.status) {
        const list = Array.isArray(query.status) ? query.status : [query.status];
        where.push(`status = ANY(${param(list)}::text[])`);
      }
      if (query.workflow) where.push(`workflow = ${param(query.workflow)}`);
      if (query.version !== undefined) where.push(`version = ${param(query.version)}`);
      if (query.parentId) where.push(`parent_id = ${param(query.parentId)}`);
      if (query.createdAfter !== undefined) where.push(`created_at >= ${param(query.createdAfter)}`);
      if (query.createdBefore !== undefined) where.push(`created_at < ${param(query.createdBefore)}`);
      if (query.before) where.push(`id < ${param(query.before)}`);
      for (const [k, v] of Object.entries(query.tags ?? {})) {
        where.push(
          `EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = runs.id AND t.key = ${param(k)} AND t.value = ${param(String(v))})`,
        );
      }
      const limit = param(Math.min(query.limit ?? 100, 10_000));
      const rows = await s.adHoc(
        `SELECT ${RUN_WITH_TAGS} FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY id DESC LIMIT ${limit}`,
        params,
      );
      return rows.map(toRun);
    });
  }

  loadJournal(runId: string): Promise<JournalEntry[]> {
    return this.read(async (s) =>
      (await s.rows(`SELECT ${ENTRY_COLUMNS} FROM journal WHERE run_id = $1 ORDER BY position`, [runId])).map(
        toEntry,
      ),
    );
  }

  loadHistory(runId: string): Promise<HistoryRecord[]> {
    return this.read(async (s) =>
      (
        await s.rows(
          'SELECT id, run_id, type, position, at, data FROM history WHERE run_id = $1 ORDER BY id',
          [runId],
        )
      ).map(toHistory),
    );
  }

  listTimers(query: { dueBefore?: number; limit?: number }): Promise<TimerRecord[]> {
    return this.read(async (s) =>
      (
        await s.rows(
          `SELECT run_id, position, kind, name, deadline FROM journal
           WHERE status = 'pending' AND deadline IS NOT NULL AND deadline <= $1 ORDER BY deadline LIMIT $2`,
          [query.dueBefore ?? Number.MAX_SAFE_INTEGER, query.limit ?? 100],
        )
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

  async claimRuns(req: ClaimRequest): Promise<ClaimedRun[]> {
    if (req.limit <= 0) return [];
    const filter = [req.now, req.workflows, req.queues ?? ['default']];
    // a cheap read first: an idle poll opens no transaction and locks nothing
    const due = await this.read((s) => s.one(`SELECT 1 FROM runs WHERE ${CLAIMABLE} LIMIT 1`, filter));
    return due ? this.claimNow(req, filter) : [];
  }

  private claimNow(req: ClaimRequest, filter: unknown[]): Promise<ClaimedRun[]> {
    return this.write(async (tx) => {
      // a few more than asked for, in case runs of one key compete for its last slot
      const rows = await tx.rows(CLAIM_SQL, [...filter, req.limit * 2]);
      const needSlot = (r: Row) =>
        r.concurrency_key !== null && !ACTIVE_STATUSES.includes(r.status as string);
      const keys = [...new Set(rows.filter(needSlot).map((r) => r.concurrency_key as string))];
      let active = new Map<string, number>();
      if (keys.length > 0) {
        await tx.lock(this.keyLocks(keys));
        active = await this.activeRuns(tx, keys);
      }
      const chosen: Row[] = [];
      for (const r of rows) {
        if (chosen.length >= req.limit) break;
        if (needSlot(r)) {
          const key = r.concurrency_key as string;
          const n = active.get(key) ?? 0;
          if (n >= ((r.concurrency_limit as number | null) ?? 1)) continue;
          active.set(key, n + 1);
        }
        chosen.push(r);
      }
      if (chosen.length === 0) return [];
      const until = req.now + req.leaseMs;
      const updated = await tx.rows(
        `UPDATE runs SET status = CASE WHEN status = 'compensating' THEN status ELSE 'running' END,
           lease_owner = $1, lease_until = $2, next_at = $2, lease_token = lease_token + 1, claims = claims + 1,
           started_at = coalesce(started_at, $3), updated_at = $3
         WHERE id = ANY($4::text[])
         RETURNING ${RUN_WITH_TAGS}`,
        [req.owner, until, req.now, chosen.map((r) => r.id)],
      );
      const byId = new Map(updated.map((r) => [r.id as string, toRun(r)]));
      return chosen.map((r): ClaimedRun => {
        const runId = r.id as string;
        const recovered = r.lease_owner !== null;
        const type = r.started_at === null ? 'run.started' : recovered ? 'run.recovered' : 'run.resumed';
        tx.addHistory(runId, {
          type,
          at: req.now,
          data: recovered ? { owner: req.owner, previousOwner: r.lease_owner } : { owner: req.owner },
        });
        return { run: byId.get(runId)!, recovered };
      });
    });
  }

  heartbeat(
    owner: string,
    leases: Array<{ runId: string; token: number }>,
    leaseMs: number,
    now: number,
  ): Promise<string[]> {
    if (leases.length === 0) return Promise.resolve([]);
    return this.write(async (tx) => {
      const until = now + leaseMs;
      const kept = await tx.rows(
        `UPDATE runs SET lease_until = $1, next_at = $1
         FROM unnest($2::text[], $3::int[]) AS l(id, token)
         WHERE runs.id = l.id AND runs.lease_owner = $4 AND runs.lease_token = l.token
         RETURNING runs.id`,
        [until, leases.map((l) => l.runId), leases.map((l) => l.token), owner],
      );
      const held = new Set(kept.map((r) => r.id as string));
      return leases.filter((l) => !held.has(l.runId)).map((l) => l.runId);
    });
  }

  markStranded(known: string[], now: number): Promise<string[]> {
    return this.write(async (tx) => {
      const rows = await tx.rows(
        `UPDATE runs SET status = 'stranded', updated_at = $1
         WHERE id IN (
           SELECT id FROM runs
           WHERE status IN ('pending','running','waiting','compensating') AND next_at <= $1
             AND (lease_until IS NULL OR lease_until < $1) AND wf_key <> ALL($2::text[])
           FOR UPDATE SKIP LOCKED)
         RETURNING id, workflow, version`,
        [now, known],
      );
      for (const r of rows) {
        tx.addHistory(r.id as string, {
          type: 'run.stranded',
          at: now,
          data: { reason: `workflow ${r.workflow} version ${r.version} is not registered` },
        });
      }
      // a worker in another process may know the version
      if (rows.length > 0) tx.wake = true;
      return rows.map((r) => r.id as string);
    });
  }

  // ---------------------------------------------------------------- the execution write path

  commit(unit: CommitUnit): Promise<CommitResult> {
    if (this.closing) return Promise.reject(new ConflictError('store is closed'));
    return isSimpleCommit(unit) ? this.commits.add(unit) : this.commitOne(unit);
  }

  /** Simple commits of the same turn, written by one statement. */
  private readonly commits = new Gatherer<CommitUnit, CommitResult>(
    (units) =>
      this.writeNow(async (tx) => {
        const { results, wake } = commitManyResults(
          units,
          await tx.rows(COMMIT_MANY_SQL, commitManyParams(units)),
        );
        if (wake) tx.wake = true;
        return results.map((r) => (r === 'deferred' ? DEFERRED : r));
      }),
    (unit) => this.commitOne(unit),
  );

  private commitOne(unit: CommitUnit): Promise<CommitResult> {
    const waits = unit.eventWaits ?? [];
    const locks = waits.length > 0 ? this.eventLocks(waits.map((w) => w.input.type)) : undefined;
    return this.write(async (tx): Promise<CommitResult> => {
      const at = unit.at;
      const journal = unit.journal ?? [];
      // one statement cannot upsert the same row twice; such a unit writes its entries one by one after it
      const oneByOne = new Set(journal.map((e) => e.position)).size < journal.length;
      // history follows the event.matched rows of the unit's own waits, so it waits for them
      const historyLater = waits.length > 0;
      const t = unit.run;
      const transition = t && !isTerminal(t.status) ? t : undefined;
      const run = await tx.one(
        COMMIT_SQL,
        commitParams(unit, oneByOne ? [] : journal, historyLater, transition),
      );
      // a finished run (for example cancelled after its worker's lease expired) takes no more writes
      if (!run || run.lease_token !== unit.leaseToken || isTerminal(run.status as RunRecord['status'])) {
        return { ok: false, reason: 'lease-lost' };
      }
      const resolved: JournalEntry[] = [];
      if (oneByOne) this.upsertEntries(tx, unit.runId, journal);
      if (waits.length > 0) {
        this.upsertEntries(tx, unit.runId, waits);
        for (const w of waits) {
          const ev = await this.findLookbackEvent(tx, unit.runId, w.input);
          if (!ev) continue;
          const done = await this.completeEntry(
            tx,
            unit.runId,
            w.position,
            'completed',
            { result: ev, eventId: ev.id },
            at,
          );
          if (!done) continue;
          tx.addHistory(unit.runId, {
            type: 'event.matched',
            position: w.position,
            at,
            data: { eventId: ev.id, type: ev.type, lookback: true },
          });
          resolved.push(done);
        }
      }
      for (const timeout of unit.timeouts ?? []) {
        const payload = { result: timeout.result };
        if (!(await this.completeEntry(tx, unit.runId, timeout.position, 'completed', payload, at))) {
          const e = await this.entry(tx, unit.runId, timeout.position);
          if (e) resolved.push(e);
        }
      }
      if (historyLater) for (const h of unit.history ?? []) tx.addHistory(unit.runId, h);
      for (const task of unit.tasks ?? []) this.insertTask(tx, task);
      for (const c of unit.children ?? []) {
        tx.send(...this.insertRunStatement(c));
        tx.wake = true;
      }
      if (t && isTerminal(t.status)) await this.finish(tx, run, t, at);
      // woken while it executed: the run is runnable again at once
      if (transition?.release && run.wake_seq !== unit.wakeSeq) tx.wake = true;
      return { ok: true, resolved, cancelRequested: run.cancel_requested === true };
    }, locks);
  }

  private insertTask(tx: Tx, t: NewTask): void {
    tx.send(
      `INSERT INTO tasks (id, run_id, position, kind, title, role, assignee, data, form, outcomes, status, due_at,
         escalate_to, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11, $12, $13, $13)
       ON CONFLICT (id) DO NOTHING`,
      [
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
      ],
    );
  }

  // ---------------------------------------------------------------- operations from outside a lease

  requestCancel(runId: string, now: number, reason: string): Promise<RunRecord> {
    return this.write(async (tx) => {
      const row = await tx.one(
        'SELECT id, status, lease_until, parent_id, parent_position FROM runs WHERE id = $1 FOR UPDATE',
        [runId],
      );
      if (!row) throw new NotFoundError('run', runId);
      const status = row.status as RunRecord['status'];
      if (status !== 'cancelled') {
        if (isTerminal(status)) throw new ConflictError(`run ${runId} is already ${status}`, { status });
        await this.cancelRow(tx, row, now, reason);
      }
      return this.mustRun(tx, runId);
    });
  }

  resetRun(runId: string, mode: ResetMode, now: number): Promise<RunRecord> {
    return this.write(async (tx) => {
      const row = await tx.one('SELECT id, status, lease_until FROM runs WHERE id = $1 FOR UPDATE', [runId]);
      if (!row) throw new NotFoundError('run', runId);
      const status = row.status as RunRecord['status'];
      let from: number;
      if (mode.kind === 'retry') {
        if (status !== 'failed')
          throw new ConflictError(`only failed runs can be retried; run ${runId} is ${status}`, { status });
        const failed = await tx.one(
          "SELECT min(position) AS p FROM journal WHERE run_id = $1 AND status = 'failed'",
          [runId],
        );
        from = (failed?.p as number | null) ?? Number.MAX_SAFE_INTEGER;
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
      const reset = await tx.one(
        `WITH j AS (DELETE FROM journal WHERE run_id = $1 AND position >= $2::bigint),
           t AS (UPDATE tasks SET status = 'cancelled', updated_at = $3
                 WHERE run_id = $1 AND position >= $2::bigint AND status IN ('open','claimed'))
         UPDATE runs SET status = 'pending', output = NULL, error = NULL, ended_at = NULL, next_at = $3,
           cancel_requested = false, wake_seq = wake_seq + 1, lease_owner = NULL, lease_until = NULL, updated_at = $3
         WHERE id = $1
         RETURNING ${RUN_WITH_TAGS}`,
        [runId, from, now],
      );
      tx.addHistory(runId, {
        type: mode.kind === 'retry' ? 'run.retried' : 'run.restarted',
        at: now,
        data: { from: from === Number.MAX_SAFE_INTEGER ? null : from, previousStatus: status },
      });
      tx.wake = true;
      return toRun(reset!);
    });
  }

  deliverEvent(event: InboundEvent): Promise<DeliverResult> {
    return this.write(async (tx) => (await deliverEvents(tx, [event]))[0]!, this.eventLocks([event.type]));
  }

  // ---------------------------------------------------------------- tasks

  getTask(id: string): Promise<TaskRecord | undefined> {
    return this.read(async (s) => {
      const row = await s.one(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = $1`, [id]);
      return row ? toTask(row) : undefined;
    });
  }

  listTasks(query: TaskQuery): Promise<TaskRecord[]> {
    return this.read(async (s) => {
      const where: string[] = [];
      const { values: params, add: param } = paramList();
      if (query.role) where.push(`role = ${param(query.role)}`);
      if (query.assignee) where.push(`assignee = ${param(query.assignee)}`);
      if (query.runId) where.push(`run_id = ${param(query.runId)}`);
      if (query.status) {
        const list = Array.isArray(query.status) ? query.status : [query.status];
        where.push(`status = ANY(${param(list)}::text[])`);
      }
      if (query.overdueAt !== undefined) {
        where.push(
          `status IN ('open','claimed') AND due_at IS NOT NULL AND due_at <= ${param(query.overdueAt)}`,
        );
      }
      const limit = param(Math.min(query.limit ?? 100, 10_000));
      const rows = await s.adHoc(
        `SELECT ${TASK_COLUMNS} FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY coalesce(due_at, ${NO_DUE}), created_at, id LIMIT ${limit}`,
        params,
      );
      return rows.map(toTask);
    });
  }

  changeTask(id: string, change: TaskChange, now: number): Promise<TaskRecord> {
    return this.write(async (tx) => {
      const row = await tx.one(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = $1 FOR UPDATE`, [id]);
      if (!row) throw new NotFoundError('task', id);
      const task = toTask(row);
      if (task.status === 'completed' || task.status === 'cancelled') {
        throw new ConflictError(`task ${id} is already ${task.status}`, { status: task.status });
      }
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
          if (!(await this.completeEntry(tx, task.runId, task.position, 'completed', { result }, now))) {
            throw new ConflictError(`run ${task.runId} no longer waits for task ${id}`);
          }
          this.wake(tx, [task.runId], now);
          type = 'task.completed';
          data = { by: change.by, outcome: change.outcome };
          break;
        }
      }
      const updated = await tx.one(
        `UPDATE tasks SET status = $1, role = $2, assignee = $3, claimed_by = $4, delegated_from = $5, outcome = $6,
           "values" = $7, decided_by = $8, completed_at = $9, updated_at = $10 WHERE id = $11
         RETURNING ${TASK_COLUMNS}`,
        [
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
        ],
      );
      tx.addHistory(task.runId, { type, position: task.position, at: now, data: { taskId: id, ...data } });
      return toTask(updated!);
    });
  }

  escalateDueTasks(now: number): Promise<TaskRecord[]> {
    return this.write(async (tx) => {
      // SKIP LOCKED and the escalated_at guard: callers in several processes escalate each task once
      const rows = await tx.rows(
        `WITH due AS (
           SELECT id AS due_id, role AS previous_role FROM tasks
           WHERE status IN ('open','claimed') AND due_at IS NOT NULL AND due_at <= $1 AND escalated_at IS NULL
           FOR UPDATE SKIP LOCKED)
         UPDATE tasks SET
           role = coalesce(escalate_to, role),
           assignee = CASE WHEN escalate_to IS NULL THEN assignee END,
           claimed_by = CASE WHEN escalate_to IS NULL THEN claimed_by END,
           status = CASE WHEN escalate_to IS NULL THEN status ELSE 'open' END,
           escalated_at = $1, updated_at = $1
         FROM due WHERE tasks.id = due.due_id AND tasks.escalated_at IS NULL
         RETURNING ${TASK_COLUMNS}, previous_role`,
        [now],
      );
      const escalated = rows.map((r) => ({ task: toTask(r), from: r.previous_role as string }));
      // in due order, like the tasks were found
      escalated.sort((a, b) => a.task.dueAt! - b.task.dueAt! || (a.task.id < b.task.id ? -1 : 1));
      return escalated.map(({ task: t, from }) => {
        tx.addHistory(t.runId, {
          type: t.escalateTo ? 'task.escalated' : 'task.overdue',
          position: t.position,
          at: now,
          data: { taskId: t.id, from, to: t.escalateTo, dueAt: t.dueAt },
        });
        return t;
      });
    });
  }

  // ---------------------------------------------------------------- outbox

  // ---------------------------------------------------------------- shared resource limits

  acquireResource(req: ResourceRequest): Promise<ResourceGrant> {
    return this.write(
      async (tx): Promise<ResourceGrant> => {
        if (req.maxConcurrent !== undefined) {
          await tx.run('DELETE FROM resource_slots WHERE name = $1 AND expires_at < $2', [req.name, req.now]);
          const held = await tx.one('SELECT count(*)::int AS n FROM resource_slots WHERE name = $1', [
            req.name,
          ]);
          if ((held?.n as number) >= req.maxConcurrent) return { granted: false, retryInMs: 10 };
        }
        if (req.perSecond !== undefined) {
          const rate = req.perSecond;
          const row = await tx.one('SELECT tokens, updated_at FROM resource_buckets WHERE name = $1', [
            req.name,
          ]);
          const tokens = row
            ? Math.min(rate, (row.tokens as number) + ((req.now - (row.updated_at as number)) / 1000) * rate)
            : rate;
          if (tokens < 1)
            return { granted: false, retryInMs: Math.max(1, Math.ceil(((1 - tokens) / rate) * 1000)) };
          await tx.run(
            `INSERT INTO resource_buckets (name, tokens, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at`,
            [req.name, tokens - 1, req.now],
          );
        }
        if (req.maxConcurrent !== undefined) {
          await tx.run(
            `INSERT INTO resource_slots (name, holder, expires_at) VALUES ($1, $2, $3)
             ON CONFLICT (name, holder) DO UPDATE SET expires_at = excluded.expires_at`,
            [req.name, req.holder, req.now + req.leaseMs],
          );
        }
        return { granted: true };
      },
      [{ space: `${this.parts.schema}.resources`, key: req.name }],
    );
  }

  releaseResource(name: string, holder: string): Promise<void> {
    return this.write(async (tx) => {
      await tx.run('DELETE FROM resource_slots WHERE name = $1 AND holder = $2', [name, holder]);
    });
  }

  readOutbox(query: {
    afterSeq?: number;
    unpublishedOnly?: boolean;
    limit?: number;
  }): Promise<OutboxRecord[]> {
    const columns = 'seq, id, run_id, position, type, subject, data, created_at, published_at';
    const unpublished = query.unpublishedOnly ? 'AND published_at IS NULL' : '';
    return this.read(async (s) =>
      (
        await s.rows(`SELECT ${columns} FROM outbox WHERE seq > $1 ${unpublished} ORDER BY seq LIMIT $2`, [
          query.afterSeq ?? 0,
          query.limit ?? 100,
        ])
      ).map(toOutbox),
    );
  }

  markPublished(seqs: number[], now: number): Promise<void> {
    if (seqs.length === 0) return Promise.resolve();
    return this.write(async (tx) => {
      await tx.run(
        'UPDATE outbox SET published_at = $1 WHERE seq = ANY($2::bigint[]) AND published_at IS NULL',
        [now, seqs],
      );
    });
  }
}
