import type { Settled } from '../group-commit.js';
import type { HistoryInput } from '../types.js';
import type { PgQuery, PgQueryable, PgResult, PgRow } from './driver.js';
import { json } from './rows.js';

/** Statement names by SQL text: each connection parses and plans a statement once, then reuses it. */
const names = new Map<string, string>();

/** A named (prepared) statement; only for SQL whose text is fixed, so the set of names stays small. */
export function prepared(text: string, values: unknown[] = []): PgQuery {
  let name = names.get(text);
  if (!name) {
    name = `baton_${names.size + 1}`;
    names.set(text, name);
  }
  return { name, text, values };
}

/** Runs statements on one connection; prepared by default, `adHoc` for SQL assembled per call. */
export class Session {
  constructor(protected readonly db: PgQueryable) {}

  async rows(text: string, values: unknown[] = []): Promise<PgRow[]> {
    return (await this.db.query(prepared(text, values))).rows;
  }

  async one(text: string, values: unknown[] = []): Promise<PgRow | undefined> {
    return (await this.rows(text, values))[0];
  }

  /** Runs a statement and returns how many rows it changed. */
  async run(text: string, values: unknown[] = []): Promise<number> {
    return (await this.db.query(prepared(text, values))).rowCount ?? 0;
  }

  async adHoc(text: string, values: unknown[]): Promise<PgRow[]> {
    return (await this.db.query({ text, values })).rows;
  }

  /** Takes transaction-scoped advisory locks; see `takeLocks`. */
  lock(locks: AdvisoryLock[]): Promise<void> {
    return takeLocks(this.db, locks);
  }
}

const ignore = () => {};
const ABORTED = '25P02';
const sqlState = (err: unknown): unknown => (err as { code?: unknown } | null)?.code;

/**
 * One operation's view of the batch transaction, on a connection in pipeline mode. Statements whose
 * results the operation does not need go out with `send` and are not waited for one by one: they
 * queue on the wire behind each other and `settle` collects their outcomes once. History rows are
 * buffered and written in one statement when the operation settles (ids still follow the order they
 * were added in). `wake` records that the operation made a run runnable, so the batch sends one
 * NOTIFY with its COMMIT.
 */
export class Tx extends Session {
  wake = false;
  private history: Array<{ runId: string; h: HistoryInput }> = [];
  private sent: Array<Promise<unknown>> = [];

  addHistory(runId: string, h: HistoryInput): void {
    this.history.push({ runId, h });
  }

  /** Sends a statement without waiting for it; `settle` reports whether it failed. */
  send(text: string, values: unknown[] = []): void {
    const pending = this.db.query(prepared(text, values));
    pending.catch(ignore);
    this.sent.push(pending);
  }

  /** Writes the buffered history and waits for everything sent; throws the first failure. */
  async settle(): Promise<void> {
    this.sendHistory();
    const sent = this.sent;
    this.sent = [];
    for (const result of await Promise.allSettled(sent)) {
      if (result.status === 'rejected') throw result.reason;
    }
  }

  /**
   * Why the operation failed: the first statement that failed, rather than the ones PostgreSQL
   * refused after it because the transaction was already aborted.
   */
  async cause(err: unknown): Promise<unknown> {
    const sent = this.sent;
    this.sent = [];
    for (const result of await Promise.allSettled(sent)) {
      if (result.status === 'rejected' && sqlState(result.reason) !== ABORTED) return result.reason;
    }
    return err;
  }

  private sendHistory(): void {
    if (this.history.length === 0) return;
    const rows = this.history;
    this.history = [];
    this.send(
      `INSERT INTO history (run_id, type, position, at, data)
       SELECT run_id, type, position, at, data
       FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::text[])
         WITH ORDINALITY AS h(run_id, type, position, at, data, n)
       ORDER BY n`,
      [
        rows.map((r) => r.runId),
        rows.map((r) => r.h.type),
        rows.map((r) => r.h.position ?? null),
        rows.map((r) => r.h.at),
        rows.map((r) => json(r.h.data)),
      ],
    );
  }
}

/** A transaction-scoped advisory lock: `space` names what the keys are (a schema's concurrency keys). */
export interface AdvisoryLock {
  space: string;
  key: string;
}

/**
 * An operation of a batch. `locks` are taken before any operation of the batch runs, all at once and
 * in one global order, so batches in different processes that need the same locks queue behind each
 * other instead of deadlocking.
 */
export type Operation = ((tx: Tx) => unknown) & { locks?: AdvisoryLock[] };

/** Takes advisory locks in the order of their lock ids, the same order in every process. */
export async function takeLocks(db: PgQueryable, locks: AdvisoryLock[]): Promise<void> {
  if (locks.length === 0) return;
  // PostgreSQL evaluates the volatile lock function after sorting, so the locks are taken in order
  await db.query(
    prepared(
      `SELECT pg_advisory_xact_lock(hashtext(s), hashtext(k))
       FROM (SELECT DISTINCT s, k FROM unnest($1::text[], $2::text[]) AS l(s, k)) l
       ORDER BY hashtext(s), hashtext(k)`,
      [locks.map((l) => l.space), locks.map((l) => l.key)],
    ),
  );
}

/**
 * Deadlocks and serialization failures. The transaction that lost keeps every lock its other
 * operations took, so running the operation again inside it would meet the same cycle; the store
 * submits it again to the next transaction instead.
 */
const RETRYABLE = new Set(['40P01', '40001']);
export const retryable = (err: unknown): boolean => RETRYABLE.has(sqlState(err) as string);

/**
 * Applies a batch of operations in one transaction on `client`, a connection in pipeline mode. The
 * batch first runs without savepoints, as operations almost never fail; when one does, that
 * transaction is rolled back and the batch runs again with each operation inside the savepoint `op`,
 * so the one that fails rolls back alone. Transaction control statements are sent without waiting,
 * ahead of the statements that follow them. `notify` is the NOTIFY statement sent with COMMIT when
 * any operation woke a run. Throws when the transaction itself fails (the connection is lost, COMMIT
 * fails, the batch's locks lose a deadlock): then every operation failed.
 */
export async function runBatch(client: PgQueryable, ops: Operation[], notify: string): Promise<Settled[]> {
  if (ops.length > 1) {
    const together = await runTogether(client, ops, notify);
    if (together) return together;
  }
  return runApart(client, ops, notify);
}

/** The batch in one transaction without savepoints; undefined (rolled back) when an operation failed. */
async function runTogether(
  client: PgQueryable,
  ops: Operation[],
  notify: string,
): Promise<Settled[] | undefined> {
  const control = new Control(client);
  control.send('BEGIN');
  try {
    await takeLocks(
      client,
      ops.flatMap((op) => op.locks ?? []),
    );
  } catch (err) {
    await control.rollback().catch(ignore);
    throw err;
  }
  const results: Settled[] = [];
  let wake = false;
  for (const op of ops) {
    const outcome = await attempt(client, op);
    if (!outcome.ok) {
      await control.rollback();
      return undefined;
    }
    wake ||= outcome.wake;
    results.push({ ok: true, value: outcome.value });
  }
  await control.commit(wake ? notify : undefined);
  return results;
}

async function runApart(client: PgQueryable, ops: Operation[], notify: string): Promise<Settled[]> {
  const locks = ops.flatMap((op) => op.locks ?? []);
  const alone = ops.length === 1;
  const control = new Control(client);
  control.send(alone || locks.length > 0 ? 'BEGIN' : 'BEGIN; SAVEPOINT op');
  try {
    await takeLocks(client, locks);
  } catch (err) {
    await control.rollback().catch(ignore);
    throw err;
  }
  if (alone) {
    const outcome = await attempt(client, ops[0]!);
    if (!outcome.ok) {
      await control.rollback();
      return [outcome];
    }
    await control.commit(outcome.wake ? notify : undefined);
    return [{ ok: true, value: outcome.value }];
  }
  if (locks.length > 0) control.send('SAVEPOINT op');
  const results: Settled[] = [];
  let wake = false;
  for (const [i, op] of ops.entries()) {
    const outcome = await attempt(client, op);
    if (!outcome.ok) {
      // the savepoint survives ROLLBACK TO, ready for the next operation
      control.send('ROLLBACK TO SAVEPOINT op');
      results.push(outcome);
      continue;
    }
    wake ||= outcome.wake;
    results.push({ ok: true, value: outcome.value });
    if (i < ops.length - 1) control.send('RELEASE SAVEPOINT op; SAVEPOINT op');
  }
  await control.commit(wake ? notify : undefined);
  return results;
}

type Outcome = { ok: true; value: unknown; wake: boolean } | { ok: false; error: unknown };

async function attempt(client: PgQueryable, op: Operation): Promise<Outcome> {
  const tx = new Tx(client);
  try {
    const value = await op(tx);
    await tx.settle();
    return { ok: true, value, wake: tx.wake };
  } catch (err) {
    return { ok: false, error: await tx.cause(err) };
  }
}

/** The batch's transaction control statements, sent without waiting and checked before COMMIT. */
class Control {
  private sent: Array<Promise<unknown>> = [];

  constructor(readonly client: PgQueryable) {}

  send(sql: string): void {
    const pending = this.client.query(sql);
    pending.catch(ignore);
    this.sent.push(pending);
  }

  private async check(): Promise<void> {
    const sent = this.sent;
    this.sent = [];
    for (const pending of sent) await pending;
  }

  async rollback(): Promise<void> {
    this.send('ROLLBACK');
    await this.check();
  }

  async commit(notify: string | undefined): Promise<void> {
    const pending = this.client.query(notify ? `${notify}; COMMIT` : 'COMMIT');
    pending.catch(ignore);
    await this.check();
    const res = (await pending) as PgResult | PgResult[];
    const last = Array.isArray(res) ? res[res.length - 1] : res;
    // a transaction that failed answers COMMIT with ROLLBACK; every operation in it was lost
    if (last?.command !== 'COMMIT') throw new Error(`the transaction was rolled back (${last?.command})`);
  }
}
