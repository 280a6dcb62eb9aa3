/**
 * The store's vocabulary.
 *
 * - **run**: one execution of a workflow definition (name + version) with its input, status and lease.
 * - **journal entry**: the record of one durable call of a run, at its position (0, 1, 2, … in call
 *   order). `pending` entries are open waits (timers, event waits, tasks, children, step retries).
 * - **timer**: a pending journal entry with a deadline; the run becomes runnable when it is due.
 * - **history**: the time-stamped log of every state change; process KPIs are computed from it.
 * - **lease**: a worker's claim on a run, with an expiry and a fencing token that grows with every
 *   claim; writes carrying an old token are refused.
 * - **wake sequence**: bumped whenever something outside the lease holder (an event, a task, a child)
 *   makes a run runnable, so a lease holder that suspends at the same moment does not miss it.
 * - **outbox**: events emitted by workflows, committed with the step that emits them.
 * - **commit unit**: everything one run writes at one point, applied atomically; units of
 *   concurrent runs share transactions (group commit).
 */
import type { SerializedError } from '../core/index.js';
import type { ConnectorStore } from './connectors.js';
import type { GovernanceStore } from './governance.js';
import type { RuleStore } from './rules.js';

/** Every status a run can have, in the order of a run's life. */
export const runStatuses = [
  'pending',
  'running',
  'waiting',
  'compensating',
  'completed',
  'failed',
  'cancelled',
  'compensated',
  'stranded',
] as const;

export type RunStatus = (typeof runStatuses)[number];

export const terminalStatuses: readonly RunStatus[] = ['completed', 'failed', 'cancelled', 'compensated'];
export const isTerminal = (s: RunStatus): boolean => terminalStatuses.includes(s);

export type Tags = Record<string, string>;

export interface RunRecord {
  id: string;
  workflow: string;
  version: number;
  status: RunStatus;
  input: unknown;
  output?: unknown;
  error?: SerializedError;
  idempotencyKey?: string;
  parentId?: string;
  parentPosition?: number;
  queue: string;
  concurrencyKey?: string;
  concurrencyLimit?: number;
  /** When the run is next runnable (epoch ms); absent while it waits without a deadline. */
  nextAt?: number;
  leaseOwner?: string;
  leaseUntil?: number;
  leaseToken: number;
  wakeSeq: number;
  cancelRequested: boolean;
  /** How many times the run was claimed. */
  claims: number;
  tags: Tags;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  endedAt?: number;
}

export interface NewRun {
  id: string;
  workflow: string;
  version: number;
  input: unknown;
  idempotencyKey?: string;
  parentId?: string;
  parentPosition?: number;
  queue?: string;
  concurrencyKey?: string;
  concurrencyLimit?: number;
  tags?: Tags;
  /** Defaults to `createdAt`. */
  nextAt?: number;
  createdAt: number;
}

export type JournalKind = 'step' | 'sleep' | 'event' | 'task' | 'emit' | 'child' | 'decide' | 'compensation';
export type JournalStatus = 'pending' | 'completed' | 'failed';

export interface JournalEntry {
  runId: string;
  position: number;
  kind: JournalKind;
  name: string;
  status: JournalStatus;
  /** What the call asked for: an event wait's match and lookback, a task id, a child run id. */
  input?: unknown;
  result?: unknown;
  error?: SerializedError;
  /** Timer: when a sleep ends, an event wait times out, a step retry is due. */
  deadline?: number;
  attempts: number;
  /** The inbound event that satisfied an event wait. */
  eventId?: string;
  startedAt: number;
  endedAt?: number;
}

export type JournalWrite = Omit<JournalEntry, 'runId'>;

/** The pending wait for an event; the store completes it from the lookback window when it can. */
export interface EventWaitInput {
  type: string;
  match?: Record<string, string | number | boolean>;
  /** Events received at or after this time match. */
  since: number;
}

export interface HistoryInput {
  type: string;
  position?: number;
  at: number;
  data?: Record<string, unknown>;
}

export interface HistoryRecord extends HistoryInput {
  id: number;
  runId: string;
}

export type TaskStatus = 'open' | 'claimed' | 'completed' | 'cancelled';

export interface TaskRecord {
  id: string;
  runId: string;
  position: number;
  kind: string;
  title: string;
  role: string;
  assignee?: string;
  data?: unknown;
  /** JSON Schema of the values the person fills in. */
  form?: Record<string, unknown>;
  outcomes: string[];
  status: TaskStatus;
  dueAt?: number;
  escalateTo?: string;
  escalatedAt?: number;
  delegatedFrom?: string;
  claimedBy?: string;
  outcome?: string;
  values?: Record<string, unknown>;
  decidedBy?: string;
  createdAt: number;
  updatedAt: number;
  completedAt?: number;
}

export type NewTask = Omit<
  TaskRecord,
  'status' | 'updatedAt' | 'escalatedAt' | 'delegatedFrom' | 'claimedBy'
>;

export interface InboundEvent {
  id: string;
  type: string;
  source?: string;
  subject?: string;
  data: unknown;
  receivedAt: number;
}

export interface OutboxInput {
  id: string;
  position: number;
  type: string;
  subject?: string;
  data: unknown;
}

export interface OutboxRecord extends OutboxInput {
  seq: number;
  runId: string;
  createdAt: number;
  publishedAt?: number;
}

/** The run-level transition that ends one execution. */
export interface RunTransition {
  status: RunStatus;
  output?: unknown;
  error?: SerializedError;
  /** For `waiting`: when a timer is due (absent: wait without deadline). Ignored if woken meanwhile. */
  nextAt?: number;
  /** Releases the lease. */
  release: boolean;
}

/** Everything one run writes at one point; applied atomically, fenced by the lease token. */
export interface CommitUnit {
  runId: string;
  leaseToken: number;
  /** The wake sequence the lease holder has seen; a higher stored one means "run again now". */
  wakeSeq: number;
  at: number;
  journal?: JournalWrite[];
  /** Pending event waits to register; each may be completed at once from the lookback window. */
  eventWaits?: Array<JournalWrite & { input: EventWaitInput }>;
  /** Positions of pending waits to complete with a timeout result, unless something completed them. */
  timeouts?: Array<{ position: number; result: unknown }>;
  history?: HistoryInput[];
  outbox?: OutboxInput[];
  tasks?: NewTask[];
  children?: NewRun[];
  tags?: Tags;
  run?: RunTransition;
}

export type CommitResult =
  | {
      ok: true;
      /** Entries the store completed or found completed: event waits matched, timeouts lost to a delivery. */
      resolved: JournalEntry[];
      cancelRequested: boolean;
    }
  | { ok: false; reason: 'lease-lost' };

export interface ClaimRequest {
  owner: string;
  limit: number;
  leaseMs: number;
  now: number;
  /** `workflow@version` keys this worker can execute. */
  workflows: string[];
  queues?: string[];
}

export interface ClaimedRun {
  run: RunRecord;
  /** The previous lease had expired: the run is being recovered from a lost worker. */
  recovered: boolean;
}

export interface RunQuery {
  status?: RunStatus | RunStatus[];
  workflow?: string;
  version?: number;
  tags?: Tags;
  createdAfter?: number;
  createdBefore?: number;
  parentId?: string;
  limit?: number;
  /** Returns runs created before this run id (newest first paging). */
  before?: string;
}

export interface TaskQuery {
  role?: string;
  assignee?: string;
  status?: TaskStatus | TaskStatus[];
  runId?: string;
  /** Only tasks open or claimed past their due time at `now`. */
  overdueAt?: number;
  limit?: number;
}

export interface TimerRecord {
  runId: string;
  position: number;
  kind: JournalKind;
  name: string;
  deadline: number;
}

export interface DeliverResult {
  event: InboundEvent;
  duplicate: boolean;
  /** Runs whose waits this event completed. */
  woke: string[];
}

export type TaskChange =
  | { action: 'claim'; by: string }
  | { action: 'reassign'; role?: string; assignee?: string | null; by: string }
  | { action: 'delegate'; to: string; by: string }
  | { action: 'complete'; outcome: string; values: Record<string, unknown>; by: string };

export type ResetMode = { kind: 'retry' } | { kind: 'restart'; from: number };

/**
 * What a backend can do; the engine adapts to these, it never asks which database it is on.
 */
export interface StoreCapabilities {
  /** Several processes may use the same database at once. */
  multiProcess: boolean;
  /** The store can push wake-ups to other processes (else the worker polls). */
  pushWakeups: boolean;
  /** Commits are written in shared transactions. */
  groupCommit: boolean;
  /** Resource limits (`acquireResource`) hold across every process on the database. */
  sharedLimits?: boolean;
}

/** A request for one slot of a named downstream resource (for example 5 calls at once to the ERP). */
export interface ResourceRequest {
  name: string;
  /** Who holds the slot; released with the same value. */
  holder: string;
  maxConcurrent?: number;
  perSecond?: number;
  now: number;
  /** A slot not released within this long is freed (its process died). */
  leaseMs: number;
}

export type ResourceGrant = { granted: true } | { granted: false; retryInMs: number };

export interface StoreStats {
  /** Transactions committed by the group committer. */
  transactions: number;
  /** Operations applied inside them. */
  operations: number;
}

/** The persistence seam of the engine. Every method is atomic on its own. */
export interface Store {
  readonly capabilities: StoreCapabilities;
  close(): Promise<void>;
  stats(): StoreStats;

  // runs
  /** Creates a run unless its idempotency key exists; `claim` leases it to the caller at once when its concurrency key allows. */
  createRun(
    run: NewRun,
    claim?: { owner: string; leaseMs: number },
  ): Promise<{ run: RunRecord; created: boolean; claimed: boolean }>;
  getRun(id: string): Promise<RunRecord | undefined>;
  searchRuns(query: RunQuery): Promise<RunRecord[]>;
  loadJournal(runId: string): Promise<JournalEntry[]>;
  loadHistory(runId: string): Promise<HistoryRecord[]>;
  listTimers(query: { dueBefore?: number; limit?: number }): Promise<TimerRecord[]>;

  // leases
  claimRuns(req: ClaimRequest): Promise<ClaimedRun[]>;
  /** Extends leases still held; returns the ids of runs whose lease was lost. */
  heartbeat(
    owner: string,
    leases: Array<{ runId: string; token: number }>,
    leaseMs: number,
    now: number,
  ): Promise<string[]>;
  /** Marks runnable runs of workflow versions nobody here can execute as stranded. */
  markStranded(known: string[], now: number): Promise<string[]>;

  // the write path of executions (group-committed)
  commit(unit: CommitUnit): Promise<CommitResult>;

  // operations from outside a lease
  requestCancel(runId: string, now: number, reason: string): Promise<RunRecord>;
  resetRun(runId: string, mode: ResetMode, now: number): Promise<RunRecord>;
  deliverEvent(event: InboundEvent): Promise<DeliverResult>;

  // tasks
  getTask(id: string): Promise<TaskRecord | undefined>;
  listTasks(query: TaskQuery): Promise<TaskRecord[]>;
  changeTask(id: string, change: TaskChange, now: number): Promise<TaskRecord>;
  /** Escalates open tasks past due to their `escalateTo` role, once; returns the escalated tasks. */
  escalateDueTasks(now: number): Promise<TaskRecord[]>;

  /** Takes a slot of a resource shared by every process, or says when to ask again (`sharedLimits`). */
  acquireResource?(req: ResourceRequest): Promise<ResourceGrant>;
  releaseResource?(name: string, holder: string): Promise<void>;

  /**
   * Push wake-ups, where `capabilities.pushWakeups` is true: `listener` is called soon after any
   * process makes a run runnable (a start, an event, a task decision, a finished child, a retry).
   * Resolves to a function that stops the subscription.
   */
  watch?(listener: () => void): Promise<() => Promise<void>>;

  // outbox
  readOutbox(query: {
    afterSeq?: number;
    unpublishedOnly?: boolean;
    limit?: number;
  }): Promise<OutboxRecord[]>;
  markPublished(seqs: number[], now: number): Promise<void>;

  /** Contracts, API keys, the audit chain, ingested events, the quarantine and idempotency keys. */
  readonly governance: GovernanceStore;

  /** Rule sets with their published versions, drafts under review and regional overrides. */
  readonly rules: RuleStore;

  /** Records of calls to outside systems and the dead-letter queue. */
  readonly connectors: ConnectorStore;
}
