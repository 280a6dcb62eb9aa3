import { hostname } from 'node:os';
import {
  type BatonConfig,
  type Clock,
  type ConfigOverrides,
  ConflictError,
  compileConfig,
  type Logger,
  NotFoundError,
  newId,
  silentLogger,
  systemClock,
  TimeoutError,
  ValidationError,
} from '../core/index.js';
import type {
  CommitResult,
  CommitUnit,
  HistoryRecord,
  JournalEntry,
  NewRun,
  RunQuery,
  RunRecord,
  Store,
  Tags,
  TaskQuery,
  TaskRecord,
} from '../store/index.js';
import { isTerminal } from '../store/index.js';
import { type EngineEvent, EngineEvents, type EngineEventType } from './events.js';
import { Execution, type ExecutionHost, type ExecutionOutcome } from './execution.js';
import { validateForm } from './forms.js';
import { ResourceLimits } from './limits.js';
import { type AnyWorkflow, type WorkflowDefinition, WorkflowRegistry } from './workflow.js';

export interface EngineOptions {
  store: Store;
  workflows?: AnyWorkflow[];
  config?: ConfigOverrides | Readonly<BatonConfig>;
  clock?: Clock;
  logger?: Logger;
  /** Names this worker in leases; defaults to host and process id. */
  workerId?: string;
}

export interface StartOptions {
  /** A second start with the same key returns the first run. */
  idempotencyKey?: string;
  tags?: Tags;
  /** Start at a future time. */
  startAt?: number;
  /** Pick a registered version other than the latest (when starting by name). */
  version?: number;
}

export interface EventInput {
  type: string;
  data: unknown;
  /** Deduplication id; a second delivery of the same id is ignored. */
  id?: string;
  source?: string;
  subject?: string;
}

type RunningExecution = { exec: Execution; runId: string; token: number };

/**
 * The durable workflow engine: operations on runs, events and tasks, and an in-process worker pool
 * that claims runnable runs under leases and executes them.
 */
export class Engine {
  readonly events = new EngineEvents();
  readonly config: Readonly<BatonConfig>;
  readonly clock: Clock;
  readonly workerId: string;
  private readonly registry = new WorkflowRegistry();
  private readonly limits: ResourceLimits;
  private readonly log: Logger;
  private readonly active = new Map<string, RunningExecution>();
  private running = false;
  private halted = false;
  private loopDone: Promise<void> | undefined;
  private wakeLoop: (() => void) | undefined;
  private nudged = false;
  private timers: NodeJS.Timeout[] = [];
  private unwatch: (() => Promise<void>) | undefined;
  private readonly idleWaiters = new Set<() => void>();

  constructor(private readonly options: EngineOptions) {
    // Object.isFrozen(undefined) is true, so an absent config must be ruled out first
    this.config =
      options.config !== undefined && Object.isFrozen(options.config)
        ? (options.config as BatonConfig)
        : compileConfig(options.config as ConfigOverrides);
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger;
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${newId().slice(-8)}`;
    this.limits = new ResourceLimits(
      this.config.resources,
      options.store,
      this.workerId,
      this.config.worker.leaseMs * 2,
    );
    for (const w of options.workflows ?? []) this.register(w);
  }

  get store(): Store {
    return this.options.store;
  }

  // ------------------------------------------------------------------ definitions

  register(...defs: AnyWorkflow[]): this {
    for (const d of defs) this.registry.register(d as WorkflowDefinition);
    this.nudge();
    return this;
  }

  workflows(): WorkflowDefinition[] {
    return this.registry.all();
  }

  private definition(name: string, version?: number): WorkflowDefinition {
    const def = version === undefined ? this.registry.latest(name) : this.registry.get(name, version);
    if (!def)
      throw new NotFoundError('workflow', version === undefined ? name : `${name} version ${version}`);
    return def;
  }

  // ------------------------------------------------------------------ lifecycle

  /** Starts the worker: claims and executes runnable runs until `stop()`. */
  start(): this {
    if (this.running) return this;
    if (this.halted) throw new ConflictError('a halted engine cannot be restarted; create a new one');
    this.running = true;
    const w = this.config.worker;
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(
        () => void fn().catch((e) => this.log.warn('background task failed', { error: String(e) })),
        ms,
      );
      t.unref();
      this.timers.push(t);
    };
    every(Math.max(100, Math.floor(w.leaseMs / 3)), () => this.heartbeat());
    every(w.maintenanceIntervalMs, () => this.maintain());
    if (this.store.capabilities.pushWakeups && this.store.watch) {
      this.store
        .watch(() => this.nudge())
        .then(
          (off) => {
            if (this.running) this.unwatch = off;
            else void off();
          },
          (err) => this.log.warn('wake-up subscription failed; polling only', { error: String(err) }),
        );
    }
    this.loopDone = this.loop();
    return this;
  }

  /** Stops claiming, lets running executions reach their next suspension point, then returns. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.nudge();
    await this.loopDone;
    const deadline = Date.now() + timeoutMs;
    while (this.active.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const a of this.active.values()) a.exec.abort('engine stopped');
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.unwatch?.();
    this.unwatch = undefined;
  }

  /**
   * Stops at once as a crashed process would: executions are abandoned mid-flight and nothing more is
   * written. Their leases expire and another worker recovers the runs.
   */
  halt(): void {
    this.halted = true;
    this.running = false;
    for (const a of this.active.values()) a.exec.abort('halted');
    this.active.clear();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.nudge();
  }

  /** Resolves when no run is executing in this process. */
  idle(): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.add(r));
  }

  /** Wakes the claim loop now instead of at the next poll. */
  nudge(): void {
    this.nudged = true;
    const w = this.wakeLoop;
    this.wakeLoop = undefined;
    w?.();
  }

  private async loop(): Promise<void> {
    const w = this.config.worker;
    while (this.running) {
      this.nudged = false;
      const free = w.concurrency - this.active.size;
      let claimedFull = false;
      if (free > 0 && this.registry.keys().length > 0) {
        try {
          const claimed = await this.store.claimRuns({
            owner: this.workerId,
            limit: free,
            leaseMs: w.leaseMs,
            now: this.clock.now(),
            workflows: this.registry.keys(),
            queues: this.registry.queues(),
          });
          for (const c of claimed) {
            this.emitEvent({
              type: c.recovered ? 'run.recovered' : c.run.claims === 1 ? 'run.started' : 'run.resumed',
              runId: c.run.id,
              at: this.clock.now(),
              data: { owner: this.workerId },
            });
            if (c.recovered)
              this.log.info('recovering run from an expired lease', {
                runId: c.run.id,
                workflow: c.run.workflow,
              });
            this.launch(c.run);
          }
          claimedFull = claimed.length === free;
        } catch (err) {
          if (!this.running) break;
          this.log.warn('claiming runs failed; retrying', { error: String(err) });
        }
      }
      if (claimedFull || this.nudged) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, w.pollIntervalMs);
        this.wakeLoop = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  private launch(run: RunRecord, journal?: JournalEntry[]): void {
    const def = this.registry.get(run.workflow, run.version);
    if (!def || this.halted) return; // claims only ask for registered versions
    const host: ExecutionHost = {
      clock: this.clock,
      commit: (unit) => this.commit(unit),
      acquire: (resource) => this.limits.acquire(resource),
      validateChild: (d, input) => {
        const valid = d.validate(input);
        return { concurrency: d.concurrencyOf(valid), tags: d.tagsOf(valid) };
      },
    };
    const placeholder = { exec: undefined as unknown as Execution, runId: run.id, token: run.leaseToken };
    this.active.set(run.id, placeholder);
    const go = async () => {
      const entries = journal ?? (await this.store.loadJournal(run.id));
      if (this.active.get(run.id) !== placeholder || this.halted) return;
      const exec = new Execution(host, def, run, entries);
      placeholder.exec = exec;
      const outcome = await exec.start();
      this.afterExecution(run, outcome);
    };
    go()
      .catch((err) => this.log.error('execution crashed', { runId: run.id, error: String(err) }))
      .finally(() => {
        if (this.active.get(run.id) === placeholder) this.active.delete(run.id);
        if (this.active.size === 0) {
          for (const r of this.idleWaiters) r();
          this.idleWaiters.clear();
        }
        this.nudge();
      });
  }

  private afterExecution(run: RunRecord, o: ExecutionOutcome): void {
    if (o.kind === 'aborted') {
      if (!this.halted) this.log.warn('execution stopped', { runId: run.id, reason: o.reason });
      return;
    }
    if (o.kind === 'waiting' && o.nextAt !== undefined) {
      const delay = o.nextAt - this.clock.now();
      if (delay <= 0) this.nudge();
      else setTimeout(() => this.nudge(), Math.min(delay + 1, 2 ** 31 - 1)).unref();
    }
  }

  /** The single write path of executions: refuses writes once halted, publishes the events after commit. */
  private async commit(unit: CommitUnit): Promise<CommitResult> {
    if (this.halted) return { ok: false, reason: 'lease-lost' };
    const res = await this.store.commit(unit);
    if (res.ok && this.events.hasListeners()) {
      for (const h of unit.history ?? [])
        this.emitEvent({ ...h, type: h.type as EngineEventType, runId: unit.runId });
    }
    if (
      res.ok &&
      (unit.children?.length || unit.run?.status === 'completed' || unit.run?.status === 'failed')
    )
      this.nudge();
    return res;
  }

  private emitEvent(e: EngineEvent): void {
    this.events.emit(e);
  }

  private async heartbeat(): Promise<void> {
    if (this.active.size === 0 || this.halted) return;
    const leases = [...this.active.values()].map((a) => ({ runId: a.runId, token: a.token }));
    const lost = await this.store.heartbeat(
      this.workerId,
      leases,
      this.config.worker.leaseMs,
      this.clock.now(),
    );
    const sent = new Map(leases.map((l) => [l.runId, l.token]));
    for (const id of lost) {
      const a = this.active.get(id);
      // a run that just suspended released its own lease; one re-claimed since holds a newer token
      if (!a?.exec || a.token !== sent.get(id) || a.exec.ending) continue;
      this.log.warn('lease lost; abandoning execution', { runId: id });
      a.exec.abort('lease lost');
    }
  }

  /** Escalates overdue tasks and marks runs of unregistered versions as stranded. */
  async maintain(): Promise<void> {
    if (this.halted) return;
    const now = this.clock.now();
    for (const t of await this.store.escalateDueTasks(now)) {
      this.emitEvent({
        type: t.escalateTo ? 'task.escalated' : 'task.overdue',
        runId: t.runId,
        position: t.position,
        at: now,
        data: { taskId: t.id, to: t.escalateTo },
      });
      this.log.info(t.escalateTo ? 'task escalated' : 'task overdue', { taskId: t.id, role: t.role });
    }
    if (this.registry.keys().length > 0) {
      for (const id of await this.store.markStranded(this.registry.keys(), now)) {
        this.emitEvent({ type: 'run.stranded', runId: id, at: now });
        this.log.warn('run stranded: its workflow version is not registered', { runId: id });
      }
    }
  }

  // ------------------------------------------------------------------ runs

  /** Starts a run; with an idempotency key a repeated start returns the existing run. */
  async startRun<I>(
    workflow: WorkflowDefinition<I, unknown> | string,
    input: I,
    options: StartOptions = {},
  ): Promise<RunRecord> {
    const def =
      typeof workflow === 'string'
        ? this.definition(workflow, options.version)
        : this.registeredOrSelf(workflow as WorkflowDefinition);
    const valid = def.validate(input);
    const now = this.clock.now();
    const run: NewRun = {
      id: newId(now),
      workflow: def.name,
      version: def.version,
      input: valid,
      queue: def.queue,
      tags: { ...def.tagsOf(valid), ...options.tags },
      createdAt: now,
    };
    if (options.idempotencyKey) run.idempotencyKey = options.idempotencyKey;
    if (options.startAt !== undefined) run.nextAt = options.startAt;
    const c = def.concurrencyOf(valid);
    if (c.key) {
      run.concurrencyKey = c.key;
      run.concurrencyLimit = c.limit ?? 1;
    }
    const canRunHere =
      this.running &&
      !this.halted &&
      options.startAt === undefined &&
      this.active.size < this.config.worker.concurrency &&
      this.registry.get(def.name, def.version) !== undefined;
    const res = await this.store.createRun(
      run,
      canRunHere ? { owner: this.workerId, leaseMs: this.config.worker.leaseMs } : undefined,
    );
    if (res.created) {
      this.emitEvent({
        type: 'run.created',
        runId: run.id,
        at: now,
        data: { workflow: def.name, version: def.version },
      });
      if (res.claimed) {
        this.emitEvent({ type: 'run.started', runId: run.id, at: now, data: { owner: this.workerId } });
        this.launch(res.run, []);
      } else this.nudge();
    }
    return res.run;
  }

  private registeredOrSelf(def: WorkflowDefinition): WorkflowDefinition {
    return this.registry.get(def.name, def.version) ?? def;
  }

  async getRun(id: string): Promise<RunRecord> {
    const run = await this.store.getRun(id);
    if (!run) throw new NotFoundError('run', id);
    return run;
  }

  searchRuns(query: RunQuery = {}): Promise<RunRecord[]> {
    return this.store.searchRuns(query);
  }

  async journal(runId: string): Promise<JournalEntry[]> {
    await this.getRun(runId);
    return this.store.loadJournal(runId);
  }

  async history(runId: string): Promise<HistoryRecord[]> {
    await this.getRun(runId);
    return this.store.loadHistory(runId);
  }

  async cancel(runId: string, reason = 'cancelled by request'): Promise<RunRecord> {
    const run = await this.store.requestCancel(runId, this.clock.now(), reason);
    const local = this.active.get(runId);
    if (local?.exec && run.cancelRequested && !isTerminal(run.status)) local.exec.cancel();
    if (isTerminal(run.status))
      this.emitEvent({ type: 'run.cancelled', runId, at: this.clock.now(), data: { reason } });
    return run;
  }

  /** Re-runs a failed run from its failed call, reusing every result recorded before it. */
  async retry(runId: string): Promise<RunRecord> {
    const run = await this.store.resetRun(runId, { kind: 'retry' }, this.clock.now());
    this.emitEvent({ type: 'run.retried', runId, at: this.clock.now() });
    this.nudge();
    return run;
  }

  /** Re-runs a run from journal position `from`, reusing the results recorded before it. */
  async restart(runId: string, from: number): Promise<RunRecord> {
    const run = await this.store.resetRun(runId, { kind: 'restart', from }, this.clock.now());
    this.emitEvent({ type: 'run.restarted', runId, at: this.clock.now(), data: { from } });
    this.nudge();
    return run;
  }

  /** Resolves with the run once it reaches a terminal status. */
  async waitForRun(runId: string, timeoutMs = 60_000): Promise<RunRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await this.getRun(runId);
      if (isTerminal(run.status)) return run;
      if (Date.now() > deadline)
        throw new TimeoutError(`run ${runId} is still ${run.status} after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, 50);
        const off = this.events.on('*', (e) => {
          if (
            e.runId === runId &&
            (e.type === 'run.completed' ||
              e.type === 'run.failed' ||
              e.type === 'run.compensated' ||
              e.type === 'run.cancelled')
          )
            done();
        });
        function done() {
          clearTimeout(t);
          off();
          resolve();
        }
      });
    }
  }

  // ------------------------------------------------------------------ events

  /** Records an inbound event and completes the waits it matches. Idempotent on `id`. */
  async deliverEvent(input: EventInput): Promise<{ eventId: string; duplicate: boolean; woke: string[] }> {
    if (typeof input.type !== 'string' || input.type.length === 0)
      throw new ValidationError('event type is required');
    const now = this.clock.now();
    const event = {
      id: input.id ?? newId(now),
      type: input.type,
      data: input.data,
      receivedAt: now,
    } as Parameters<Store['deliverEvent']>[0];
    if (input.source) event.source = input.source;
    if (input.subject) event.subject = input.subject;
    const res = await this.store.deliverEvent(event);
    for (const runId of res.woke)
      this.emitEvent({
        type: 'event.matched',
        runId,
        at: now,
        data: { eventId: event.id, type: event.type },
      });
    if (res.woke.length) this.nudge();
    return { eventId: res.event.id, duplicate: res.duplicate, woke: res.woke };
  }

  // ------------------------------------------------------------------ tasks

  listTasks(query: TaskQuery = {}): Promise<TaskRecord[]> {
    return this.store.listTasks(query);
  }

  async getTask(id: string): Promise<TaskRecord> {
    const t = await this.store.getTask(id);
    if (!t) throw new NotFoundError('task', id);
    return t;
  }

  /** Tasks open or claimed past their due time. */
  overdueTasks(query: Omit<TaskQuery, 'overdueAt'> = {}): Promise<TaskRecord[]> {
    return this.store.listTasks({ ...query, overdueAt: this.clock.now() });
  }

  async claimTask(id: string, by: string): Promise<TaskRecord> {
    requireActor(by);
    return this.taskChanged(
      await this.store.changeTask(id, { action: 'claim', by }, this.clock.now()),
      'task.claimed',
      { by },
    );
  }

  async reassignTask(
    id: string,
    change: { role?: string; assignee?: string | null; by: string },
  ): Promise<TaskRecord> {
    requireActor(change.by);
    if (change.role === undefined && change.assignee === undefined)
      throw new ValidationError('reassign needs a role or an assignee');
    return this.taskChanged(
      await this.store.changeTask(id, { action: 'reassign', ...change }, this.clock.now()),
      'task.reassigned',
      change,
    );
  }

  async delegateTask(id: string, change: { to: string; by: string }): Promise<TaskRecord> {
    requireActor(change.by);
    if (!change.to) throw new ValidationError('delegate needs the person to delegate to');
    return this.taskChanged(
      await this.store.changeTask(id, { action: 'delegate', ...change }, this.clock.now()),
      'task.delegated',
      change,
    );
  }

  /** Completes a task with an allowed outcome and form values; resumes the waiting run. */
  async completeTask(
    id: string,
    decision: { outcome: string; values?: Record<string, unknown>; by: string },
  ): Promise<TaskRecord> {
    requireActor(decision.by);
    const task = await this.getTask(id);
    if (!task.outcomes.includes(decision.outcome)) {
      throw new ValidationError(
        `outcome "${decision.outcome}" is not allowed for task ${id}; allowed: ${task.outcomes.join(', ')}`,
        [{ path: '/outcome', message: `must be one of ${task.outcomes.join(', ')}` }],
      );
    }
    const values = decision.values ?? {};
    if (task.form) validateForm(task.form, values, id);
    const done = await this.store.changeTask(
      id,
      { action: 'complete', outcome: decision.outcome, values, by: decision.by },
      this.clock.now(),
    );
    this.nudge();
    return this.taskChanged(done, 'task.completed', { by: decision.by, outcome: decision.outcome });
  }

  private taskChanged(t: TaskRecord, type: EngineEventType, data: Record<string, unknown>): TaskRecord {
    this.emitEvent({
      type,
      runId: t.runId,
      position: t.position,
      at: this.clock.now(),
      data: { taskId: t.id, ...data },
    });
    return t;
  }
}

function requireActor(by: string): void {
  if (typeof by !== 'string' || by.trim() === '')
    throw new ValidationError('the person acting on a task is required (by)');
}
