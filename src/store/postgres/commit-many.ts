import type { CommitResult, CommitUnit } from '../types.js';
import { isTerminal } from '../types.js';
import { json } from './rows.js';

/**
 * The commits of many runs in one statement. Most commits of an execution only add journal entries,
 * history, outbox events and tags, and perhaps suspend the run: those of every run that committed in
 * the same moment are written by a single statement, instead of one statement (and one savepoint)
 * each. Commits with waits, timeouts, tasks, children or an ending go the general way.
 */
export function isSimpleCommit(unit: CommitUnit): boolean {
  if (unit.eventWaits?.length || unit.timeouts?.length || unit.tasks?.length || unit.children?.length)
    return false;
  if (unit.run && isTerminal(unit.run.status)) return false;
  const journal = unit.journal ?? [];
  return new Set(journal.map((e) => e.position)).size === journal.length;
}

const TERMINAL = "('completed','failed','cancelled','compensated')";

export const COMMIT_MANY_SQL = `WITH u AS (
    SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::int[], $5::text[], $6::text[], $7::bool[], $8::bigint[])
      WITH ORDINALITY AS u(run_id, token, at, seen_wake, status, error, release, next_at, n)),
  run AS (
    SELECT r.id, r.status, r.lease_token, r.wake_seq, r.cancel_requested
    FROM runs r WHERE r.id IN (SELECT run_id FROM u) ORDER BY r.id FOR UPDATE),
  ok AS (
    SELECT run.id, run.wake_seq, u.* FROM run JOIN u ON u.run_id = run.id
    WHERE run.lease_token = u.token AND run.status NOT IN ${TERMINAL}),
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
      next_at = CASE WHEN NOT ok.release THEN runs.next_at WHEN ok.wake_seq <> ok.seen_wake THEN ok.at ELSE ok.next_at END,
      lease_owner = CASE WHEN ok.release THEN NULL ELSE runs.lease_owner END,
      lease_until = CASE WHEN ok.release THEN NULL ELSE runs.lease_until END
    FROM ok WHERE runs.id = ok.id AND ok.status IS NOT NULL)
  SELECT id, status, lease_token, wake_seq, cancel_requested FROM run`;

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
  ];
}

/** Each unit's result from the rows the statement returned (one per run that exists). */
export function commitManyResults(
  units: CommitUnit[],
  rows: Array<Record<string, unknown>>,
): { results: CommitResult[]; wake: boolean } {
  const byId = new Map(rows.map((r) => [r.id as string, r]));
  let wake = false;
  const results = units.map((u): CommitResult => {
    const run = byId.get(u.runId);
    if (!run || run.lease_token !== u.leaseToken || isTerminal(run.status as never)) {
      return { ok: false, reason: 'lease-lost' };
    }
    if (u.run?.release && run.wake_seq !== u.wakeSeq) wake = true;
    return { ok: true, resolved: [], cancelRequested: run.cancel_requested === true };
  });
  return { results, wake };
}
