import { compact, opt, parse } from '../row-values.js';
import type {
  HistoryRecord,
  InboundEvent,
  JournalEntry,
  OutboxRecord,
  RunRecord,
  Tags,
  TaskRecord,
} from '../types.js';

/** Row shapes as SQLite returns them, and their mapping to records. */
type Row = Record<string, unknown>;

export const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

export function toRun(r: Row, tags: Tags = {}): RunRecord {
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
    cancelRequested: r.cancel_requested === 1,
    claims: r.claims as number,
    tags,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    startedAt: opt<number>(r.started_at),
    endedAt: opt<number>(r.ended_at),
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
