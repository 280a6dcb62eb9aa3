import {
  BatonError,
  CancelledError,
  ChildFailedError,
  type Clock,
  type Duration,
  isRetryable,
  LeaseLostError,
  NonDeterminismError,
  newId,
  type SerializedError,
  StepFailedError,
  seededRandom,
  serializeError,
  TimeoutError,
  toMs,
} from '../core/index.js';
import type {
  CommitResult,
  CommitUnit,
  EventWaitInput,
  HistoryInput,
  InboundEvent,
  JournalEntry,
  JournalKind,
  JournalWrite,
  NewRun,
  NewTask,
  OutboxInput,
  RunRecord,
  RunTransition,
  Tags,
} from '../store/index.js';
import type {
  DecisionLogic,
  StepInfo,
  StepOptions,
  TaskResult,
  TaskSpec,
  WaitOptions,
  WorkflowContext,
} from './context.js';
import { backoffMs, compileRetry } from './retry.js';
import type { WorkflowDefinition } from './workflow.js';

/** What an execution needs from the engine that runs it. */
export interface ExecutionHost {
  readonly clock: Clock;
  commit(unit: CommitUnit): Promise<CommitResult>;
  acquire(resource: string): Promise<() => void>;
  validateChild(
    def: WorkflowDefinition,
    input: unknown,
  ): { concurrency: { key?: string; limit?: number }; tags: Tags };
}

export type ExecutionOutcome =
  | { kind: 'completed'; output: unknown }
  | { kind: 'failed'; error: SerializedError }
  | { kind: 'compensated'; error: SerializedError }
  | { kind: 'waiting'; nextAt?: number; status: 'waiting' | 'compensating' }
  | { kind: 'cancelled' }
  | { kind: 'aborted'; reason: string };

interface Buffer {
  journal: JournalWrite[];
  eventWaits: Array<JournalWrite & { input: EventWaitInput }>;
  timeouts: Array<{ position: number; result: unknown }>;
  history: HistoryInput[];
  outbox: OutboxInput[];
  tasks: NewTask[];
  children: NewRun[];
  tags?: Tags;
}

const emptyBuffer = (): Buffer => ({
  journal: [],
  eventWaits: [],
  timeouts: [],
  history: [],
  outbox: [],
  tasks: [],
  children: [],
});

const never = <T>(): Promise<T> => new Promise<T>(() => {});
const DEFAULT_LOOKBACK_MS = 60 * 60 * 1000;
const DEFAULT_RETRY = compileRetry();

/** Round-trips a value through JSON so live results look exactly like replayed ones. */
const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

class Abort extends Error {}

/** Built-in functions: the resolving functions of `await` and of `Promise.all`, `race`, … */
const isBuiltin = (fn: unknown): boolean =>
  typeof fn === 'function' && Function.prototype.toString.call(fn).endsWith('{ [native code] }');

/**
 * The promise a durable call returns. Workflow time moves to the call's result when the code
 * observes it: when the result is handed to `await`, to `Promise.all` and the like, or to another
 * promise that takes it over (`finally` counts: its reactions are built-in). A handler attached
 * with `then` or `catch` does not move time by itself (it may run as soon as the result is
 * recorded, long before the code waits for it); the promise it returns carries the observation on
 * to whoever awaits that. The call's own rejection is marked handled: code may await it later.
 */
class Observed<T> extends Promise<T> {
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  constructor(
    private readonly source: Promise<T>,
    /** What observing this promise does: move workflow time to each result it stands for. */
    private readonly observers: Array<() => void>,
  ) {
    super(() => {}); // never settles: every reaction goes through `then` to `source`
  }

  // biome-ignore lint/suspicious/noThenProperty: the point of this class is to see every `then`
  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const mine = this.observers; // read when observed: a handler may still add to it
    const observeMine = () => {
      for (const o of mine) o();
    };
    const next: Array<() => void> = [observeMine];
    const wrap = <A, R>(fn: ((a: A) => R | PromiseLike<R>) | null | undefined) => {
      if (!fn) return undefined;
      if (isBuiltin(fn))
        return (a: A) => {
          observeMine();
          return fn(a);
        };
      return (a: A) => {
        const r = fn(a);
        if (!(r instanceof Observed)) return r;
        // a durable call returned from a handler is taken over, and observed with the result
        const taken = r as Observed<R>;
        next.push(() => {
          for (const o of taken.observers) o();
        });
        return taken.source;
      };
    };
    return new Observed<R1 | R2>(this.source.then(wrap(onFulfilled), wrap(onRejected)), next);
  }
}

interface Compensation {
  position: number;
  name: string;
  result: unknown;
  options: StepOptions<unknown>;
}

/**
 * One execution of a run under a lease: re-runs the workflow function from the top, answering
 * recorded calls from the journal and performing new ones, until the function returns, throws, or
 * every live branch waits on something durable (then the run suspends and releases its lease).
 */
export class Execution implements WorkflowContext {
  readonly runId: string;
  readonly workflow: string;
  readonly version: number;
  private position = 0;
  private readonly recorded = new Map<number, JournalEntry>();
  private buf = emptyBuffer();
  private inflight = 0;
  private readonly blocked = new Map<number, { kind: JournalKind; name: string; deadline?: number }>();
  private readonly compensations: Compensation[] = [];
  private logicalNow: number;
  /** When each call's result was delivered (its end time, or start time for an instant call). */
  private readonly deliveredAt = new Map<number, number>();
  private readonly rand: () => number;
  private committing: Promise<void> | undefined;
  private aborted: Abort | undefined;
  private cancelRequested = false;
  private driverDone = false;
  private idleScheduled = false;
  private readonly controller = new AbortController();
  private phase: 'run' | 'compensate' = 'run';
  private finish!: (o: ExecutionOutcome) => void;
  private finished = false;
  readonly outcome: Promise<ExecutionOutcome>;

  constructor(
    private readonly host: ExecutionHost,
    private readonly def: WorkflowDefinition,
    private readonly run: RunRecord,
    journal: JournalEntry[],
    /** Replay a recorded journal without performing any call: a call it did not record is a divergence. */
    private readonly replayOnly = false,
  ) {
    this.runId = run.id;
    this.workflow = run.workflow;
    this.version = run.version;
    for (const e of journal) this.recorded.set(e.position, e);
    // workflow time starts when the run first started (fixed once recorded) and moves with each result
    this.logicalNow = run.startedAt ?? run.createdAt;
    this.rand = seededRandom(run.id);
    this.outcome = new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  /** The execution has ended or is writing its final state; its lease is being released. */
  get ending(): boolean {
    return this.finished || this.aborted !== undefined;
  }

  /** Durable calls the workflow code has made so far in this execution. */
  get callsMade(): number {
    return this.position;
  }

  get leaseToken(): number {
    return this.run.leaseToken;
  }

  /** Starts the execution; await `outcome` for how it ended. */
  start(): Promise<ExecutionOutcome> {
    if (this.run.cancelRequested) {
      void this.end({ kind: 'cancelled' });
      return this.outcome;
    }
    if (this.run.status === 'compensating') this.phase = 'compensate';
    this.drive(async () => this.def.run(this, this.run.input));
    return this.outcome;
  }

  /** Stops the execution without writing anything more (lease lost, process halting). */
  abort(reason: string): void {
    if (this.aborted) return;
    this.aborted = new Abort(reason);
    this.controller.abort(new CancelledError(reason));
    this.settle({ kind: 'aborted', reason });
  }

  /** Cancellation requested while this execution holds the lease. */
  cancel(): void {
    this.cancelRequested = true;
    this.controller.abort(new CancelledError('run cancelled'));
    if (!this.aborted && !this.finished) void this.end({ kind: 'cancelled' });
  }

  // ------------------------------------------------------------------ driving

  private drive(fn: () => Promise<unknown>): void {
    this.driverDone = false;
    fn().then(
      (output) => this.onReturn(output),
      (err) => this.onThrow(err),
    );
  }

  private async onReturn(output: unknown): Promise<void> {
    this.driverDone = true;
    if (this.aborted || this.finished) return;
    await this.quiesce();
    if (this.phase === 'compensate') return; // compensation driver handles the end
    await this.end({ kind: 'completed', output: clone(output) });
  }

  private async onThrow(err: unknown): Promise<void> {
    this.driverDone = true;
    if (this.aborted || this.finished || err instanceof Abort) return;
    if (err instanceof NonDeterminismError) {
      await this.end({ kind: 'failed', error: serializeError(err) });
      return;
    }
    await this.quiesce();
    if (this.aborted || this.finished) return;
    const error = serializeError(err);
    if (this.compensations.length === 0) {
      await this.end({ kind: 'failed', error });
      return;
    }
    await this.compensateAll(error);
  }

  /** Waits until no step is running, so every result of the failed branch is recorded first. */
  private async quiesce(): Promise<void> {
    while (this.inflight > 0 && !this.aborted) await new Promise((r) => setImmediate(r));
  }

  private async compensateAll(error: SerializedError): Promise<void> {
    if (this.phase !== 'compensate') {
      this.phase = 'compensate';
      this.buf.history.push({
        type: 'run.compensating',
        at: this.host.clock.now(),
        data: { error: error.message },
      });
      await this.flush({ status: 'compensating', release: false, error });
    }
    this.driverDone = false;
    const list = [...this.compensations].sort((a, b) => b.position - a.position);
    try {
      for (const c of list) {
        await this.call('compensation', `compensate:${c.name}`, (p, entry) =>
          this.runStep(
            p,
            'compensation',
            `compensate:${c.name}`,
            (info) => c.options.compensate!(c.result, info),
            c.options,
            entry,
          ),
        );
      }
    } catch (err) {
      this.driverDone = true;
      if (this.aborted || this.finished || err instanceof Abort) return;
      await this.end({
        kind: 'failed',
        error: { ...serializeError(err), details: { compensationFailed: true, originalError: error } },
      });
      return;
    }
    this.driverDone = true;
    await this.end({ kind: 'compensated', error });
  }

  private settle(o: ExecutionOutcome): void {
    if (this.finished) return;
    this.finished = true;
    this.finish(o);
  }

  private async end(o: ExecutionOutcome): Promise<void> {
    if (this.finished || this.aborted) return;
    const at = this.host.clock.now();
    let t: RunTransition;
    switch (o.kind) {
      case 'completed':
        this.buf.history.push({ type: 'run.completed', at });
        t = { status: 'completed', output: o.output, release: true };
        break;
      case 'failed':
        this.buf.history.push({
          type: 'run.failed',
          at,
          data: { error: o.error.message, code: o.error.code },
        });
        t = { status: 'failed', error: o.error, release: true };
        break;
      case 'compensated':
        this.buf.history.push({ type: 'run.compensated', at, data: { error: o.error.message } });
        t = { status: 'compensated', error: o.error, release: true };
        break;
      case 'cancelled':
        this.buf.history.push({ type: 'run.cancelled', at, data: { reason: 'cancel requested' } });
        t = {
          status: 'cancelled',
          error: { name: 'CancelledError', message: 'run cancelled' },
          release: true,
        };
        break;
      case 'waiting':
        t = { status: o.status, nextAt: o.nextAt, release: true };
        break;
      default:
        this.settle(o);
        return;
    }
    this.finished = true; // no further writes from the workflow code
    try {
      await this.commitNow(t, true);
      this.finish(o);
    } catch (err) {
      this.finish({ kind: 'aborted', reason: err instanceof Error ? err.message : String(err) });
    }
  }

  /** After every change: if nothing runs and the function has not finished, the run suspends. */
  private scheduleIdleCheck(): void {
    if (this.idleScheduled) return;
    this.idleScheduled = true;
    setImmediate(() => {
      this.idleScheduled = false;
      if (this.finished || this.aborted || this.driverDone) return;
      if (this.inflight > 0 || this.committing) return;
      let nextAt: number | undefined;
      const waits: Array<Record<string, unknown>> = [];
      for (const [position, b] of this.blocked) {
        if (b.deadline !== undefined)
          nextAt = nextAt === undefined ? b.deadline : Math.min(nextAt, b.deadline);
        waits.push({ position, kind: b.kind, name: b.name, deadline: b.deadline });
      }
      this.buf.history.push({ type: 'run.waiting', at: this.host.clock.now(), data: { waits } });
      void this.end({
        kind: 'waiting',
        nextAt,
        status: this.phase === 'compensate' ? 'compensating' : 'waiting',
      });
    });
  }

  // ------------------------------------------------------------------ writes

  private hasBuffered(): boolean {
    const b = this.buf;
    return (
      b.journal.length +
        b.eventWaits.length +
        b.timeouts.length +
        b.history.length +
        b.outbox.length +
        b.tasks.length +
        b.children.length >
        0 || b.tags !== undefined
    );
  }

  /** Makes everything buffered so far durable before the caller goes on. */
  private async flush(transition?: RunTransition): Promise<CommitResult | undefined> {
    while (this.committing) await this.committing;
    if (!transition && !this.hasBuffered()) return undefined;
    return this.commitNow(transition);
  }

  private async commitNow(transition?: RunTransition, final = false): Promise<CommitResult> {
    while (this.committing) await this.committing;
    if (this.aborted) throw this.aborted;
    const b = this.buf;
    this.buf = emptyBuffer();
    const unit: CommitUnit = {
      runId: this.runId,
      leaseToken: this.run.leaseToken,
      wakeSeq: this.run.wakeSeq,
      at: this.host.clock.now(),
    };
    if (b.journal.length) unit.journal = b.journal;
    if (b.eventWaits.length) unit.eventWaits = b.eventWaits;
    if (b.timeouts.length) unit.timeouts = b.timeouts;
    if (b.history.length) unit.history = b.history;
    if (b.outbox.length) unit.outbox = b.outbox;
    if (b.tasks.length) unit.tasks = b.tasks;
    if (b.children.length) unit.children = b.children;
    if (b.tags) unit.tags = b.tags;
    if (transition) unit.run = transition;
    let done!: () => void;
    this.committing = new Promise((r) => {
      done = r;
    });
    try {
      const res = await this.host.commit(unit);
      if (!res.ok) {
        this.abort('lease lost');
        throw new LeaseLostError(this.runId);
      }
      if (res.cancelRequested && !final && !this.cancelRequested) {
        this.cancelRequested = true;
        queueMicrotask(() => this.cancel());
      }
      for (const e of res.resolved) this.recorded.set(e.position, e);
      return res;
    } finally {
      this.committing = undefined;
      done();
      if (!final) this.scheduleIdleCheck();
    }
  }

  // ------------------------------------------------------------------ the journal cursor

  /**
   * Assigns the next position and either replays the recorded entry (after checking that the code
   * asks for the same call) or hands over to `live` to perform the call.
   */
  private call<T>(
    kind: JournalKind,
    name: string,
    body: (position: number, entry?: JournalEntry) => Promise<T>,
  ): Promise<T> {
    if (this.aborted) return never();
    if (this.finished && this.phase !== 'compensate') return never();
    const position = this.position;
    const result = this.perform(kind, name, body);
    // a recorded failure rejects at once; code that awaits the call later still gets it then
    result.catch(() => {});
    return new Observed(result, [() => this.observe(position)]);
  }

  private perform<T>(
    kind: JournalKind,
    name: string,
    body: (position: number, entry?: JournalEntry) => Promise<T>,
  ): Promise<T> {
    const position = this.position++;
    const entry = this.recorded.get(position);
    if (!entry && this.replayOnly)
      return Promise.reject(new NonDeterminismError(position, undefined, { kind, name }));
    if (entry && (entry.kind !== kind || entry.name !== name)) {
      return Promise.reject(
        new NonDeterminismError(position, { kind: entry.kind, name: entry.name }, { kind, name }),
      );
    }
    try {
      return body(position, entry);
    } catch (err) {
      // a replayed failure must reject like a live one, not throw out of ctx.step() synchronously
      return Promise.reject(err);
    }
  }

  /**
   * Records when the result of the call at `position` was delivered. Workflow time moves there only
   * when the code observes the result (see `Observed`), so the time the code reads depends on the
   * order of its own awaits and the recorded times, not on whether a result was already recorded.
   */
  private deliver(position: number, entry: { startedAt: number; endedAt?: number }): void {
    const t = entry.endedAt ?? entry.startedAt;
    const known = this.deliveredAt.get(position);
    if (known === undefined || t > known) this.deliveredAt.set(position, t);
  }

  /** The code observes the result of the call at `position`: workflow time moves to its delivery. */
  private observe(position: number): void {
    const t = this.deliveredAt.get(position);
    if (t !== undefined && t > this.logicalNow) this.logicalNow = t;
  }

  private block<T>(position: number, kind: JournalKind, name: string, deadline?: number): Promise<T> {
    this.blocked.set(position, { kind, name, deadline });
    this.scheduleIdleCheck();
    return never();
  }

  private replayFailure(entry: JournalEntry): never {
    const failure = entry.error ?? { name: 'Error', message: 'failed' };
    if (entry.kind === 'child') {
      const details = failure.details as { childRunId?: string; failure?: SerializedError } | undefined;
      throw new ChildFailedError(details?.childRunId ?? 'unknown', details?.failure ?? failure);
    }
    throw new StepFailedError(entry.name, entry.position, entry.attempts, failure);
  }

  // ------------------------------------------------------------------ steps

  step<T>(name: string, fn: (info: StepInfo) => Promise<T> | T, options: StepOptions<T> = {}): Promise<T> {
    return this.call('step', name, (position, entry) => {
      if (entry?.status === 'completed') {
        this.deliver(position, entry);
        if (options.compensate) this.addCompensation(position, name, entry.result, options);
        return Promise.resolve(entry.result as T);
      }
      if (entry?.status === 'failed') {
        this.deliver(position, entry);
        this.replayFailure(entry);
      }
      return this.runStep(position, 'step', name, fn, options, entry);
    });
  }

  private addCompensation(
    position: number,
    name: string,
    result: unknown,
    options: StepOptions<never>,
  ): void {
    this.compensations.push({ position, name, result, options: options as StepOptions<unknown> });
  }

  private async runStep<T>(
    position: number,
    kind: JournalKind,
    name: string,
    fn: (info: StepInfo) => Promise<T> | T,
    options: StepOptions<T>,
    prior?: JournalEntry,
  ): Promise<T> {
    if (prior?.status === 'completed') {
      this.deliver(position, prior);
      return prior.result as T;
    }
    if (prior?.status === 'failed') this.replayFailure(prior);
    const policy = options.retry ? compileRetry(options.retry) : DEFAULT_RETRY;
    if (
      prior?.status === 'pending' &&
      prior.deadline !== undefined &&
      prior.deadline > this.host.clock.now()
    ) {
      return this.block(position, kind, name, prior.deadline);
    }
    this.inflight++;
    this.blocked.delete(position);
    try {
      await this.flush(); // what came before is durable before this step's effects start
      if (this.aborted) throw this.aborted;
      const attempt = (prior?.attempts ?? 0) + 1;
      const startedAt = this.host.clock.now();
      // the attempt's signal is made only when the step reads it: most steps never do
      let ctl: AbortController | undefined;
      const onOuterAbort = () => ctl?.abort(this.controller.signal.reason);
      const outer = this.controller.signal;
      const info: StepInfo = {
        idempotencyKey: `${this.runId}:${position}`,
        attempt,
        maxAttempts: policy.maxAttempts,
        get signal() {
          if (!ctl) {
            ctl = new AbortController();
            if (outer.aborted) ctl.abort(outer.reason);
            else outer.addEventListener('abort', onOuterAbort, { once: true });
          }
          return ctl.signal;
        },
      };
      let release: (() => void) | undefined;
      let timer: NodeJS.Timeout | undefined;
      try {
        if (options.resource) release = await this.host.acquire(options.resource);
        const work = Promise.resolve().then(() => fn(info));
        let result: T;
        if (options.timeout !== undefined) {
          const limit = toMs(options.timeout, `timeout of step "${name}"`);
          const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              const err = new TimeoutError(`step "${name}" attempt ${attempt} timed out after ${limit} ms`);
              ctl?.abort(err);
              reject(err);
            }, limit);
          });
          result = await Promise.race([work, timeout]);
        } else {
          result = await work;
        }
        if (this.aborted) throw this.aborted;
        const value = clone(result);
        const endedAt = this.host.clock.now();
        this.buf.journal.push({
          position,
          kind,
          name,
          status: 'completed',
          result: value,
          attempts: attempt,
          startedAt,
          endedAt,
        });
        this.buf.history.push(
          { type: 'step.started', position, at: startedAt, data: { name, kind, attempt } },
          {
            type: 'step.completed',
            position,
            at: endedAt,
            data: { name, kind, attempt, durationMs: endedAt - startedAt },
          },
        );
        this.deliver(position, { startedAt, endedAt });
        if (options.compensate && kind === 'step')
          this.addCompensation(position, name, value, options as StepOptions<never>);
        return value;
      } catch (err) {
        if (this.aborted || err instanceof Abort) throw this.aborted ?? err;
        if (this.cancelRequested) throw new Abort('cancelled');
        const endedAt = this.host.clock.now();
        const error = serializeError(err);
        const retry = attempt < policy.maxAttempts && isRetryable(err, policy.nonRetryableTypes);
        this.buf.history.push({
          type: 'step.started',
          position,
          at: startedAt,
          data: { name, kind, attempt },
        });
        if (retry) {
          const delay =
            err instanceof BatonError && err.nextRetryDelayMs !== undefined
              ? err.nextRetryDelayMs
              : backoffMs(policy, attempt);
          const deadline = endedAt + delay;
          this.buf.journal.push({
            position,
            kind,
            name,
            status: 'pending',
            error,
            attempts: attempt,
            deadline,
            startedAt,
          });
          this.buf.history.push({
            type: 'step.retrying',
            position,
            at: endedAt,
            data: { name, kind, attempt, delayMs: delay, error: error.message },
          });
          return this.block(position, kind, name, deadline);
        }
        this.buf.journal.push({
          position,
          kind,
          name,
          status: 'failed',
          error,
          attempts: attempt,
          startedAt,
          endedAt,
        });
        this.buf.history.push({
          type: 'step.failed',
          position,
          at: endedAt,
          data: { name, kind, attempt, error: error.message },
        });
        this.deliver(position, { startedAt, endedAt });
        throw new StepFailedError(name, position, attempt, error);
      } finally {
        if (timer) clearTimeout(timer);
        release?.();
        if (ctl) outer.removeEventListener('abort', onOuterAbort);
      }
    } finally {
      this.inflight--;
      this.scheduleIdleCheck();
    }
  }

  // ------------------------------------------------------------------ timers

  sleep(duration: Duration): Promise<void> {
    const ms = toMs(duration, 'sleep duration');
    return this.timer('sleep', () => this.logicalNow + ms);
  }

  sleepUntil(until: Date | number): Promise<void> {
    const at = typeof until === 'number' ? until : until.getTime();
    if (!Number.isFinite(at)) return Promise.reject(new RangeError('sleepUntil needs a valid date'));
    return this.timer('sleepUntil', () => at);
  }

  private timer(name: string, deadlineOf: () => number): Promise<void> {
    const kind = 'sleep';
    return this.call(kind, name, (position, entry) => {
      if (entry?.status === 'completed') {
        this.deliver(position, entry);
        return Promise.resolve();
      }
      const now = this.host.clock.now();
      const deadline = entry?.deadline ?? deadlineOf();
      const startedAt = entry?.startedAt ?? this.logicalNow;
      if (deadline <= now) {
        this.buf.journal.push({
          position,
          kind,
          name,
          status: 'completed',
          deadline,
          attempts: 1,
          startedAt,
          endedAt: now,
        });
        this.buf.history.push({ type: 'timer.fired', position, at: now, data: { name, deadline } });
        this.deliver(position, { startedAt, endedAt: now });
        return Promise.resolve();
      }
      if (!entry) {
        this.buf.journal.push({ position, kind, name, status: 'pending', deadline, attempts: 0, startedAt });
        this.buf.history.push({ type: 'timer.started', position, at: now, data: { name, deadline } });
      }
      return this.block(position, kind, name, deadline);
    });
  }

  // ------------------------------------------------------------------ events

  waitForEvent<D = unknown>(
    type: string,
    options: WaitOptions = {},
  ): Promise<(InboundEvent & { data: D }) | null> {
    type R = (InboundEvent & { data: D }) | null;
    return this.call('event', type, async (position, entry) => {
      if (entry?.status === 'completed') {
        this.deliver(position, entry);
        return (entry.result ?? null) as R;
      }
      const now = this.host.clock.now();
      if (entry) {
        if (entry.deadline !== undefined && entry.deadline <= now)
          return this.timeoutWait<R>(position, type, entry);
        return this.block<R>(position, 'event', type, entry.deadline);
      }
      const lookback = toMs(options.lookback ?? DEFAULT_LOOKBACK_MS, 'lookback');
      const deadline =
        options.timeout !== undefined ? this.logicalNow + toMs(options.timeout, 'timeout') : undefined;
      const input: EventWaitInput = { type, since: this.logicalNow - lookback };
      if (options.match) input.match = options.match;
      this.buf.eventWaits.push({
        position,
        kind: 'event',
        name: type,
        status: 'pending',
        input,
        deadline,
        attempts: 0,
        startedAt: this.logicalNow,
      });
      this.buf.history.push({
        type: 'event.waiting',
        position,
        at: now,
        data: { type, match: options.match, deadline },
      });
      this.inflight++;
      try {
        await this.flush(); // the lookback search runs in the same transaction as the registration
      } finally {
        this.inflight--;
      }
      const resolved = this.recorded.get(position);
      if (resolved?.status === 'completed') {
        this.deliver(position, resolved);
        return (resolved.result ?? null) as R;
      }
      if (deadline !== undefined && deadline <= this.host.clock.now()) {
        return this.timeoutWait<R>(position, type, { startedAt: this.logicalNow } as JournalEntry);
      }
      return this.block<R>(position, 'event', type, deadline);
    });
  }

  private async timeoutWait<R>(position: number, type: string, entry: JournalEntry): Promise<R> {
    const at = this.host.clock.now();
    this.buf.timeouts.push({ position, result: null });
    this.buf.history.push({ type: 'event.timeout', position, at, data: { type } });
    this.inflight++;
    try {
      await this.flush();
    } finally {
      this.inflight--;
    }
    const won = this.recorded.get(position);
    if (won && won.status === 'completed' && won.result) {
      this.deliver(position, won); // an event arrived first
      return won.result as R;
    }
    this.deliver(position, { startedAt: entry.startedAt, endedAt: at });
    return null as R;
  }

  // ------------------------------------------------------------------ tasks, children, emit

  task<V = Record<string, unknown>>(spec: TaskSpec): Promise<TaskResult<V>> {
    return this.call('task', spec.kind, (position, entry) => {
      if (entry?.status === 'completed') {
        this.deliver(position, entry);
        return Promise.resolve(entry.result as TaskResult<V>);
      }
      if (!entry) {
        if (!spec.outcomes?.length)
          return Promise.reject(new RangeError(`task "${spec.title}" needs at least one outcome`));
        const id = newId();
        const now = this.host.clock.now();
        const dueAt = spec.dueIn !== undefined ? this.logicalNow + toMs(spec.dueIn, 'dueIn') : undefined;
        const task: NewTask = {
          id,
          runId: this.runId,
          position,
          kind: spec.kind,
          title: spec.title,
          role: spec.role,
          outcomes: spec.outcomes,
          createdAt: now,
        };
        if (spec.assignee) task.assignee = spec.assignee;
        if (spec.data !== undefined) task.data = clone(spec.data);
        if (spec.form) task.form = spec.form;
        if (dueAt !== undefined) task.dueAt = dueAt;
        if (spec.escalateTo) task.escalateTo = spec.escalateTo;
        this.buf.tasks.push(task);
        this.buf.journal.push({
          position,
          kind: 'task',
          name: spec.kind,
          status: 'pending',
          input: { taskId: id },
          attempts: 0,
          startedAt: now,
        });
        this.buf.history.push({
          type: 'task.created',
          position,
          at: now,
          data: { taskId: id, role: spec.role, kind: spec.kind, dueAt },
        });
      }
      return this.block<TaskResult<V>>(position, 'task', spec.kind);
    });
  }

  child<I, O>(workflow: WorkflowDefinition<I, O>, input: I, options: { tags?: Tags } = {}): Promise<O> {
    return this.call('child', workflow.key, (position, entry) => {
      if (entry?.status === 'completed') {
        this.deliver(position, entry);
        return Promise.resolve(entry.result as O);
      }
      if (entry?.status === 'failed') {
        this.deliver(position, entry);
        this.replayFailure(entry);
      }
      if (!entry) {
        const { concurrency, tags } = this.host.validateChild(workflow as WorkflowDefinition, input);
        const id = newId();
        const now = this.host.clock.now();
        const child: NewRun = {
          id,
          workflow: workflow.name,
          version: workflow.version,
          input: clone(input),
          idempotencyKey: `child:${this.runId}:${position}`,
          parentId: this.runId,
          parentPosition: position,
          queue: workflow.queue,
          tags: { ...tags, ...options.tags },
          createdAt: now,
        };
        if (concurrency.key) {
          child.concurrencyKey = concurrency.key;
          child.concurrencyLimit = concurrency.limit ?? 1;
        }
        this.buf.children.push(child);
        this.buf.journal.push({
          position,
          kind: 'child',
          name: workflow.key,
          status: 'pending',
          input: { childRunId: id },
          attempts: 0,
          startedAt: now,
        });
        this.buf.history.push({
          type: 'child.started',
          position,
          at: now,
          data: { childRunId: id, workflow: workflow.key },
        });
      }
      return this.block<O>(position, 'child', workflow.key);
    });
  }

  emit(type: string, data: unknown, options: { subject?: string } = {}): Promise<void> {
    return this.call('emit', type, (position, entry) => {
      if (entry) {
        this.deliver(position, entry);
        return Promise.resolve();
      }
      const now = this.host.clock.now();
      const id = newId();
      const o: OutboxInput = { id, position, type, data: clone(data) };
      if (options.subject) o.subject = options.subject;
      this.buf.outbox.push(o);
      this.buf.journal.push({
        position,
        kind: 'emit',
        name: type,
        status: 'completed',
        result: { eventId: id },
        attempts: 1,
        startedAt: now,
        endedAt: now,
      });
      this.buf.history.push({ type: 'event.emitted', position, at: now, data: { type, eventId: id } });
      this.deliver(position, { startedAt: now }); // as a replay of the entry does
      return Promise.resolve();
    });
  }

  decide<O>(logic: DecisionLogic<O>, facts: Record<string, unknown>): Promise<O> {
    return this.call('decide', logic.id, (position, entry) => {
      if (entry?.status === 'completed') {
        this.deliver(position, entry);
        return Promise.resolve((entry.result as { outputs: O }).outputs);
      }
      if (entry?.status === 'failed') {
        this.deliver(position, entry);
        this.replayFailure(entry);
      }
      const now = this.host.clock.now();
      // evaluated on the recorded form of the facts, so the journal alone reproduces the decision
      const input = { table: logic.id, version: logic.version, facts: clone(facts) };
      const base = { position, kind: 'decide' as const, name: logic.id, input, attempts: 1, startedAt: now };
      let decided: { outputs: O; matchedRules: string[] };
      try {
        decided = logic.evaluate(input.facts);
      } catch (err) {
        const error = serializeError(err);
        this.buf.journal.push({ ...base, status: 'failed', error, endedAt: now });
        this.buf.history.push({
          type: 'decision.failed',
          position,
          at: now,
          data: { table: logic.id, version: logic.version, error: error.message },
        });
        this.deliver(position, { startedAt: now });
        throw new StepFailedError(logic.id, position, 1, error);
      }
      const result = clone({ outputs: decided.outputs, matchedRules: decided.matchedRules });
      this.buf.journal.push({ ...base, status: 'completed', result, endedAt: now });
      this.buf.history.push({
        type: 'decision.made',
        position,
        at: now,
        data: { table: logic.id, version: logic.version, matchedRules: result.matchedRules },
      });
      this.deliver(position, { startedAt: now });
      return Promise.resolve(result.outputs);
    });
  }

  now(): Date {
    return new Date(this.logicalNow);
  }

  random(): number {
    return this.rand();
  }

  tag(tags: Record<string, string | number>): void {
    const out: Tags = { ...this.buf.tags };
    for (const [k, v] of Object.entries(tags)) out[k] = String(v);
    this.buf.tags = out;
  }
}
