import { compact, opt, parse } from '../row-values.js';
import type {
  HistoryRecord,
  InboundEvent,
  JournalEntry,
  NewRun,
  OutboxRecord,
  RunRecord,
  Tags,
  TaskRecord,
} from '../types.js';
import type { PgRow } from './driver.js';

/**
 * Row shapes as `pg` returns them (BIGINT already parsed to numbers by the store's type parser), and
 * their mapping to records. JSON columns are text written by `JSON.stringify`.
 */
type Row = PgRow;

export const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

export const RUN_COLUMNS = `id, workflow, version, status, input, output, error, idempotency_key, parent_id,
  parent_position, queue, concurrency_key, concurrency_limit, next_at, lease_owner, lease_until, lease_token,
  wake_seq, cancel_requested, claims, created_at, updated_at, started_at, ended_at`;

/** A run's columns and its tags as one JSON object, for `SELECT … FROM runs` and `RETURNING`. */
export const RUN_WITH_TAGS = `${RUN_COLUMNS},
  (SELECT json_object_agg(t.key, t.value) FROM run_tags t WHERE t.run_id = runs.id) AS tags`;

export const ENTRY_COLUMNS =
  'run_id, position, kind, name, status, input, result, error, deadline, attempts, event_id, started_at, ended_at';

export const TASK_COLUMNS = `id, run_id, position, kind, title, role, assignee, data, form, outcomes, status, due_at,
  escalate_to, escalated_at, delegated_from, claimed_by, outcome, "values", decided_by, created_at, updated_at,
  completed_at`;

export const EVENT_COLUMNS = 'id, type, source, subject, data, received_at';

export function toRun(r: Row): RunRecord {
  return compact({
    id: r.id as string,
    workflow: r.workflow as string,
    version: r.version as number,
    status: r.status as RunRecord['status'],
    input: parse(r.input),
    output: parse(r.output),
    error: parse(r.error) as RunRecord['error'],
    idempotencyKey: opt<string>(r.idempotency_key),
    parentId: opt<string>(r.parent_id),
    parentPosition: opt<number>(r.parent_position),
    queue: r.queue as string,
    concurrencyKey: opt<string>(r.concurrency_key),
    concurrencyLimit: opt<number>(r.concurrency_limit),
    nextAt: opt<number>(r.next_at),
    leaseOwner: opt<string>(r.lease_owner),
    leaseUntil: opt<number>(r.lease_until),
    leaseToken: r.lease_token as number,
    wakeSeq: r.wake_seq as number,
    cancelRequested: r.cancel_requested === true,
    claims: r.claims as number,
    tags: (r.tags as Tags | null) ?? {},
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    startedAt: opt<number>(r.started_at),
    endedAt: opt<number>(r.ended_at),
  });
}

/** The record of a run just inserted, built without reading it back. */
export function insertedRun(run: NewRun, lease?: { owner: string; until: number }): RunRecord {
  return compact<RunRecord>({
    id: run.id,
    workflow: run.workflow,
    version: run.version,
    status: lease ? 'running' : 'pending',
    input: parse(json(run.input)),
    idempotencyKey: run.idempotencyKey,
    parentId: run.parentId,
    parentPosition: run.parentPosition,
    queue: run.queue ?? 'default',
    concurrencyKey: run.concurrencyKey,
    concurrencyLimit: run.concurrencyLimit,
    nextAt: lease ? lease.until : (run.nextAt ?? run.createdAt),
    leaseOwner: lease?.owner,
    leaseUntil: lease?.until,
    leaseToken: lease ? 1 : 0,
    wakeSeq: 0,
    cancelRequested: false,
    claims: lease ? 1 : 0,
    tags: Object.fromEntries(Object.entries(run.tags ?? {}).map(([k, v]) => [k, String(v)])),
    createdAt: run.createdAt,
    updatedAt: run.createdAt,
    startedAt: lease ? run.createdAt : undefined,
  });
}

export function toEntry(r: Row): JournalEntry {
  return compact({
    runId: r.run_id as string,
    position: r.position as number,
    kind: r.kind as JournalEntry['kind'],
    name: r.name as string,
    status: r.status as JournalEntry['status'],
    input: parse(r.input),
    result: parse(r.result),
    error: parse(r.error) as JournalEntry['error'],
    deadline: opt<number>(r.deadline),
    attempts: r.attempts as number,
    eventId: opt<string>(r.event_id),
    startedAt: r.started_at as number,
    endedAt: opt<number>(r.ended_at),
  });
}

export function toHistory(r: Row): HistoryRecord {
  return compact({
    id: r.id as number,
    runId: r.run_id as string,
    type: r.type as string,
    position: opt<number>(r.position),
    at: r.at as number,
    data: parse(r.data) as HistoryRecord['data'],
  });
}

export function toTask(r: Row): TaskRecord {
  return compact({
    id: r.id as string,
    runId: r.run_id as string,
    position: r.position as number,
    kind: r.kind as string,
    title: r.title as string,
    role: r.role as string,
    assignee: opt<string>(r.assignee),
    data: parse(r.data),
    form: parse(r.form) as TaskRecord['form'],
    outcomes: JSON.parse(r.outcomes as string) as string[],
    status: r.status as TaskRecord['status'],
    dueAt: opt<number>(r.due_at),
    escalateTo: opt<string>(r.escalate_to),
    escalatedAt: opt<number>(r.escalated_at),
    delegatedFrom: opt<string>(r.delegated_from),
    claimedBy: opt<string>(r.claimed_by),
    outcome: opt<string>(r.outcome),
    values: parse(r.values) as TaskRecord['values'],
    decidedBy: opt<string>(r.decided_by),
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    completedAt: opt<number>(r.completed_at),
  });
}

export function toEvent(r: Row): InboundEvent {
  return compact({
    id: r.id as string,
    type: r.type as string,
    source: opt<string>(r.source),
    subject: opt<string>(r.subject),
    data: parse(r.data),
    receivedAt: r.received_at as number,
  });
}

export function toOutbox(r: Row): OutboxRecord {
  return compact({
    seq: r.seq as number,
    id: r.id as string,
    runId: r.run_id as string,
    position: r.position as number,
    type: r.type as string,
    subject: opt<string>(r.subject),
    data: parse(r.data),
    createdAt: r.created_at as number,
    publishedAt: opt<number>(r.published_at),
  });
}
