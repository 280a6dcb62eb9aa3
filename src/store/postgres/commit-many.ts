import type { CommitResult, CommitUnit, NewRun } from '../types.js';
import { isTerminal } from '../types.js';
import { json } from './rows.js';

/**
 * The commits of many runs in one statement. Most commits of an execution only add journal entries,
 * history, outbox events and tags, and perhaps suspend or end the run: those of every run that
 * committed in the same moment are written by a single statement, instead of one statement (and one
 * savepoint) each. Commits with waits, timeouts, tasks, children or a cancellation go the general
 * way, and so does the ending of a child run (its parent must be woken): the statement leaves such a
 * unit untouched and reports it `deferred`.
 */
export function isSimpleCommit(unit: CommitUnit): boolean {
  if (unit.eventWaits?.length || unit.timeouts?.length || unit.tasks?.length || unit.children?.length)
    return false;
  if (unit.run?.status === 'cancelled') return false;
  const journal = unit.journal ?? [];
  return new Set(journal.map((e) => e.position)).size === journal.length;
}

const TERMINAL = "('completed','failed','cancelled','compensated')";

export const COMMIT_MANY_SQL = `WITH u AS (
    SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::int[], $5::text[], $6::text[], $7::bool[], $8::bigint[],
      $37::text[])
      WITH ORDINALITY AS u(run_id, token, at, seen_wake, status, error, release, next_at, output, n)),
  run AS (
    SELECT r.id, r.status, r.lease_token, r.wake_seq, r.cancel_requested, r.parent_id
    FROM runs r WHERE r.id IN (SELECT run_id FROM u) ORDER BY r.id FOR UPDATE),
  ok AS (
    SELECT run.id, run.wake_seq, u.*, coalesce(u.status IN ${TERMINAL}, false) AS ends FROM run JOIN u ON u.run_id = run.id
    WHERE run.lease_token = u.token AND run.status NOT IN ${TERMINAL}
      AND (run.parent_id IS NULL OR u.status IS NULL OR u.status NOT IN ${TERMINAL})),
  j AS (
    INSERT INTO journal (run_id, position, kind, name, status, input, result, error, deadline, attempts,
      event_id, started_at, ended_at)
    SELECT ok.id, e.position, e.kind, e.name, e.status, e.input, e.result, e.error, e.deadline, e.attempts,
      e.event_id, e.started_at, e.ended_at
    FROM unnest($9::int[], $10::int[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[],
      $17::bigint[], $18::int[], $19::text[], $20::bigint[], $21::bigint[])
      AS e(unit, position, kind, name, status, input, result, error, deadline, attempts, event_id, started_at, ended_at)
    JOIN ok ON ok.n = e.unit
    ON CONFLICT (run_id, position) DO UPDATE SET status = excluded.status, input = excluded.input,
      result = excluded.result, error = excluded.error, deadline = excluded.deadline,
      attempts = excluded.attempts, event_id = excluded.event_id, ended_at = excluded.ended_at),
  g AS (
    INSERT INTO run_tags (run_id, key, value)
    SELECT ok.id, g.k, g.v FROM unnest($22::int[], $23::text[], $24::text[]) AS g(unit, k, v)
    JOIN ok ON ok.n = g.unit
    ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value),
  h AS (
    INSERT INTO history (run_id, type, position, at, data)
    SELECT ok.id, h.type, h.position, h.at, h.data
    FROM unnest($25::int[], $26::text[], $27::int[], $28::bigint[], $29::text[])
      WITH ORDINALITY AS h(unit, type, position, at, data, k)
    JOIN ok ON ok.n = h.unit
    ORDER BY h.k),
  o AS (
    INSERT INTO outbox (id, run_id, position, type, subject, data, created_at)
    SELECT o.id, ok.id, o.position, o.type, o.subject, o.data, o.created_at
    FROM unnest($30::text[], $31::int[], $32::int[], $33::text[], $34::text[], $35::text[], $36::bigint[])
      WITH ORDINALITY AS o(id, unit, position, type, subject, data, created_at, k)
    JOIN ok ON ok.n = o.unit
    ORDER BY o.k
    ON CONFLICT (id) DO NOTHING),
  -- at most one transition per run: a stale unit of the same run never matches its lease token
  t AS (
    UPDATE runs SET status = ok.status, error = ok.error, updated_at = ok.at,
      output = CASE WHEN ok.ends THEN ok.output ELSE runs.output END,
      ended_at = CASE WHEN ok.ends THEN ok.at ELSE runs.ended_at END,
      next_at = CASE WHEN ok.ends OR NOT ok.release THEN (CASE WHEN ok.ends THEN NULL ELSE runs.next_at END)
        WHEN ok.wake_seq <> ok.seen_wake THEN ok.at ELSE ok.next_at END,
      lease_owner = CASE WHEN ok.release OR ok.ends THEN NULL ELSE runs.lease_owner END,
      lease_until = CASE WHEN ok.release OR ok.ends THEN NULL ELSE runs.lease_until END
    FROM ok WHERE runs.id = ok.id AND ok.status IS NOT NULL),
  -- tasks still open when their run ends are cancelled with it
  x AS (
    UPDATE tasks SET status = 'cancelled', updated_at = ok.at
    FROM ok WHERE ok.ends AND tasks.run_id = ok.id AND tasks.status IN ('open','claimed'))
  SELECT id, status, lease_token, wake_seq, cancel_requested, parent_id FROM run`;

/** Rows of the child tables name their unit by its place in the batch (from 1), not by run id. */
export function commitManyParams(units: CommitUnit[]): unknown[] {
  const journal = units.flatMap((u, i) => (u.journal ?? []).map((e) => ({ unit: i + 1, e })));
  const tags = units.flatMap((u, i) =>
    Object.entries(u.tags ?? {}).map(([k, v]) => [i + 1, k, String(v)] as const),
  );
  const history = units.flatMap((u, i) => (u.history ?? []).map((h) => ({ unit: i + 1, h })));
  const outbox = units.flatMap((u, i) => (u.outbox ?? []).map((o) => ({ unit: i + 1, at: u.at, o })));
  return [
    units.map((u) => u.runId),
    units.map((u) => u.leaseToken),
    units.map((u) => u.at),
    units.map((u) => u.wakeSeq),
    units.map((u) => u.run?.status ?? null),
    units.map((u) => json(u.run?.error)),
    units.map((u) => u.run?.release ?? false),
    units.map((u) => u.run?.nextAt ?? null),
    journal.map((x) => x.unit),
    journal.map((x) => x.e.position),
    journal.map((x) => x.e.kind),
    journal.map((x) => x.e.name),
    journal.map((x) => x.e.status),
    journal.map((x) => json(x.e.input)),
    journal.map((x) => json(x.e.result)),
    journal.map((x) => json(x.e.error)),
    journal.map((x) => x.e.deadline ?? null),
    journal.map((x) => x.e.attempts),
    journal.map((x) => x.e.eventId ?? null),
    journal.map((x) => x.e.startedAt),
    journal.map((x) => x.e.endedAt ?? null),
    tags.map((t) => t[0]),
    tags.map((t) => t[1]),
    tags.map((t) => t[2]),
    history.map((x) => x.unit),
    history.map((x) => x.h.type),
    history.map((x) => x.h.position ?? null),
    history.map((x) => x.h.at),
    history.map((x) => json(x.h.data)),
    outbox.map((x) => x.o.id),
    outbox.map((x) => x.unit),
    outbox.map((x) => x.o.position),
    outbox.map((x) => x.o.type),
    outbox.map((x) => x.o.subject ?? null),
    outbox.map((x) => json(x.o.data)),
    outbox.map((x) => x.at),
    units.map((u) => (u.run && isTerminal(u.run.status) ? json(u.run.output) : null)),
  ];
}

/**
 * Each unit's result from the rows the statement returned (one per run that exists); `deferred` for
 * the ending of a child run, which the statement left alone.
 */
export function commitManyResults(
  units: CommitUnit[],
  rows: Array<Record<string, unknown>>,
): { results: Array<CommitResult | 'deferred'>; wake: boolean } {
  const byId = new Map(rows.map((r) => [r.id as string, r]));
  let wake = false;
  const results = units.map((u): CommitResult | 'deferred' => {
    const run = byId.get(u.runId);
    if (!run || run.lease_token !== u.leaseToken || isTerminal(run.status as never)) {
      return { ok: false, reason: 'lease-lost' };
    }
    if (run.parent_id !== null && u.run && isTerminal(u.run.status)) return 'deferred';
    if (u.run?.release && run.wake_seq !== u.wakeSeq) wake = true;
    return { ok: true, resolved: [], cancelRequested: run.cancel_requested === true };
  });
  return { results, wake };
}

/**
 * New runs of many callers in one statement. Runs that need no concurrency-key lock (any run not
 * claimed at creation, or one without a key) go this way; a run whose idempotency key exists is not
 * inserted and comes back absent from the result.
 */
export const CREATE_MANY_SQL = `WITH u AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[],
      $8::int[], $9::text[], $10::text[], $11::int[], $12::bigint[], $13::text[], $14::bigint[], $15::int[],
      $16::bigint[], $17::bigint[])
      AS u(id, workflow, version, status, input, idempotency_key, parent_id, parent_position, queue,
        concurrency_key, concurrency_limit, next_at, lease_owner, lease_until, lease_token, created_at, started_at)),
  r AS (
    INSERT INTO runs (id, workflow, version, wf_key, status, input, idempotency_key, parent_id, parent_position,
      queue, concurrency_key, concurrency_limit, next_at, lease_owner, lease_until, lease_token, claims,
      created_at, updated_at, started_at)
    SELECT id, workflow, version, workflow || '@' || version, status, input, idempotency_key, parent_id,
      parent_position, queue, concurrency_key, concurrency_limit, next_at, lease_owner, lease_until, lease_token,
      lease_token, created_at, created_at, started_at
    FROM u
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id),
  t AS (
    INSERT INTO run_tags (run_id, key, value)
    SELECT g.run_id, g.k, g.v FROM unnest($18::text[], $19::text[], $20::text[]) AS g(run_id, k, v)
    JOIN r ON r.id = g.run_id),
  h AS (
    INSERT INTO history (run_id, type, at, data)
    SELECT h.run_id, h.type, h.at, h.data
    FROM unnest($21::text[], $22::text[], $23::bigint[], $24::text[]) WITH ORDINALITY AS h(run_id, type, at, data, n)
    JOIN r ON r.id = h.run_id
    ORDER BY h.n)
  SELECT id FROM r`;

export interface NewRunRequest {
  run: NewRun;
  lease?: { owner: string; until: number };
}

export function createManyParams(requests: NewRunRequest[]): unknown[] {
  const tags = requests.flatMap(({ run }) =>
    Object.entries(run.tags ?? {}).map(([k, v]) => [run.id, k, String(v)] as const),
  );
  const history = requests.flatMap(({ run, lease }) => {
    const created = {
      id: run.id,
      type: 'run.created',
      at: run.createdAt,
      data: json({ workflow: run.workflow, version: run.version, parentId: run.parentId }),
    };
    return lease
      ? [created, { id: run.id, type: 'run.started', at: run.createdAt, data: json({ owner: lease.owner }) }]
      : [created];
  });
  return [
    requests.map(({ run }) => run.id),
    requests.map(({ run }) => run.workflow),
    requests.map(({ run }) => run.version),
    requests.map(({ lease }) => (lease ? 'running' : 'pending')),
    requests.map(({ run }) => json(run.input)),
    requests.map(({ run }) => run.idempotencyKey ?? null),
    requests.map(({ run }) => run.parentId ?? null),
    requests.map(({ run }) => run.parentPosition ?? null),
    requests.map(({ run }) => run.queue ?? 'default'),
    requests.map(({ run }) => run.concurrencyKey ?? null),
    requests.map(({ run }) => run.concurrencyLimit ?? null),
    requests.map(({ run, lease }) => (lease ? lease.until : (run.nextAt ?? run.createdAt))),
    requests.map(({ lease }) => lease?.owner ?? null),
    requests.map(({ lease }) => lease?.until ?? null),
    requests.map(({ lease }) => (lease ? 1 : 0)),
    requests.map(({ run }) => run.createdAt),
    requests.map(({ run, lease }) => (lease ? run.createdAt : null)),
    tags.map((t) => t[0]),
    tags.map((t) => t[1]),
    tags.map((t) => t[2]),
    history.map((h) => h.id),
    history.map((h) => h.type),
    history.map((h) => h.at),
    history.map((h) => h.data),
  ];
}
