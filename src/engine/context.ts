import type { Duration } from '../core/index.js';
import type { EventMatch, InboundEvent, Tags } from '../store/index.js';
import type { RetryPolicy } from './retry.js';
import type { WorkflowDefinition } from './workflow.js';

/** What a step function receives. Pass `idempotencyKey` to the external system. */
export interface StepInfo {
  /** `runId:position`: the same on every attempt and after recovery. */
  idempotencyKey: string;
  attempt: number;
  /** The step's attempts in all (its retry policy): `attempt === maxAttempts` is the last one. */
  maxAttempts: number;
  /** Aborted when the attempt times out or the run is cancelled. */
  signal: AbortSignal;
}

export interface StepOptions<T> {
  retry?: RetryPolicy;
  /** Per-attempt time limit; an attempt over it fails with a retryable `TimeoutError`. */
  timeout?: Duration;
  /** Undoes the step if the run later fails for good; runs as a durable step of its own. */
  compensate?: (result: T, info: StepInfo) => Promise<unknown> | unknown;
  /** A configured resource (`config.resources`) whose concurrency and rate limits this step obeys. */
  resource?: string;
}

export interface WaitOptions {
  /** Fields of the event's data (dotted paths) that must equal these values. */
  match?: EventMatch;
  /** Give up after this long; the call then returns `null`. */
  timeout?: Duration;
  /** Events received this long before the wait began also match. Default 1 hour. */
  lookback?: Duration;
}

export interface TaskSpec {
  kind: string;
  title: string;
  role: string;
  assignee?: string;
  data?: unknown;
  /** JSON Schema of the values the person fills in; checked on completion. */
  form?: Record<string, unknown>;
  /** The allowed decisions, for example `['approve', 'reject']`. */
  outcomes: string[];
  dueIn?: Duration;
  /** Role the task moves to when it is overdue. */
  escalateTo?: string;
}

export interface TaskResult<V = Record<string, unknown>> {
  outcome: string;
  values: V;
  /** Who decided. */
  by: string;
  at: number;
}

/**
 * Business logic a run decides with, for example a DMN decision table (`decisionFor` in src/rules).
 * It must be a pure function of the facts: `ctx.decide` journals what it returned, and a replay
 * answers from the journal, so a rule changed while a run is in flight does not change that run.
 */
export interface DecisionLogic<O = unknown> {
  readonly id: string;
  /** Recorded with every decision, so the journal says which rules decided. */
  readonly version: string | number;
  /** Throws when the facts do not fit or the rules cannot decide (no match under UNIQUE). */
  evaluate(facts: Record<string, unknown>): { outputs: O; matchedRules: string[] };
}

export interface WorkflowContext {
  readonly runId: string;
  readonly workflow: string;
  readonly version: number;
  step<T>(name: string, fn: (info: StepInfo) => Promise<T> | T, options?: StepOptions<T>): Promise<T>;
  sleep(duration: Duration): Promise<void>;
  sleepUntil(until: Date | number): Promise<void>;
  /** The matching event, or `null` when the timeout passed first. */
  waitForEvent<D = unknown>(
    type: string,
    options?: WaitOptions,
  ): Promise<(InboundEvent & { data: D }) | null>;
  task<V = Record<string, unknown>>(spec: TaskSpec): Promise<TaskResult<V>>;
  /** Into the transactional outbox, committed with the run's next write. */
  emit(type: string, data: unknown, options?: { subject?: string }): Promise<void>;
  /**
   * Evaluates the decision and records its id, version, facts, matched rules and outputs; returns the
   * outputs. A failed decision throws `StepFailedError`, like a step that cannot be retried.
   */
  decide<O>(logic: DecisionLogic<O>, facts: Record<string, unknown>): Promise<O>;
  child<I, O>(workflow: WorkflowDefinition<I, O>, input: I, options?: { tags?: Tags }): Promise<O>;
  /** Workflow time: deterministic on replay. */
  now(): Date;
  /** Deterministic random number in [0, 1). */
  random(): number;
  /** Sets search attributes (business keys) of the run. */
  tag(tags: Record<string, string | number>): void;
}
