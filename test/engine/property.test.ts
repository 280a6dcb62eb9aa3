/**
 * Crash recovery as a property: for random workflow shapes and random crash points, a run that is
 * halted (as a crashed process would stop) and recovered by a new engine on the same database ends
 * with the same journal, outbox, tasks and output as the same shape run without crashes.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Static, Type } from '@sinclair/typebox';
import fc from 'fast-check';
import { ApplicationFailure, ConflictError } from '../../src/core/index.js';
import { defineWorkflow, Engine, type WorkflowContext } from '../../src/engine/index.js';
import {
  isTerminal,
  type JournalEntry,
  openSqliteStore,
  type RunRecord,
  type Store,
} from '../../src/store/index.js';
import { sleep, tempDir } from '../helpers.js';

/** Short, so a new engine recovers a crashed run quickly once the lease expires. */
const LEASE_MS = 300;
/** Only a hung run reaches this; it is not a performance bound. */
const CASE_TIMEOUT_MS = 60_000;

// ------------------------------------------------------------------ the shape language

const StepOp = Type.Object({ op: Type.Literal('step'), salt: Type.Integer({ minimum: 0 }) });
/** Fails `failures` times; succeeds when `maxAttempts` exceeds that, otherwise fails for good. */
const FlakyOp = Type.Object({
  op: Type.Literal('flaky'),
  failures: Type.Integer({ minimum: 1 }),
  maxAttempts: Type.Integer({ minimum: 1 }),
  intervalMs: Type.Integer({ minimum: 1 }),
});
const FatalOp = Type.Object({ op: Type.Literal('fatal') });
const SingleOp = Type.Union([StepOp, FlakyOp, FatalOp]);
const Op = Type.Union([
  StepOp,
  FlakyOp,
  FatalOp,
  Type.Object({ op: Type.Literal('sleep'), ms: Type.Integer({ minimum: 1 }) }),
  Type.Object({
    op: Type.Literal('task'),
    outcome: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
  }),
  Type.Object({ op: Type.Literal('emit') }),
  Type.Object({ op: Type.Literal('parallel'), branches: Type.Array(SingleOp, { minItems: 2, maxItems: 3 }) }),
  /** `early`: delivered once the run starts, usually before the wait (lookback); `late`: once the wait is recorded; `never`: times out. */
  Type.Object({
    op: Type.Literal('event'),
    delivery: Type.Union([Type.Literal('early'), Type.Literal('late'), Type.Literal('never')]),
    value: Type.Integer(),
    timeoutMs: Type.Integer({ minimum: 1 }),
  }),
]);
const Shape = Type.Object({ ops: Type.Array(Op, { minItems: 1, maxItems: 8 }) });
type Shape = Static<typeof Shape>;
type Single = Static<typeof SingleOp>;
type Operation = Static<typeof Op>;

const signalType = (i: number) => `test.signal.${i}`;
const failed = (err: unknown) => ({ failed: err instanceof Error ? err.message : String(err) });

/** Folds a result into the running value, so every later call depends on what came before. */
function mix(acc: number, value: unknown): number {
  let h = acc;
  for (const ch of JSON.stringify(value) ?? '') h = (Math.imul(h, 31) + ch.charCodeAt(0)) % 1_000_003;
  return h;
}

/** A value derived from the step's journal position (read from its idempotency key) and its input. */
function derivedValue(idempotencyKey: string, salt: number, acc: number) {
  const position = Number(idempotencyKey.slice(idempotencyKey.lastIndexOf(':') + 1));
  return { position, value: (position * 7919 + salt * 31 + acc) % 100_003 };
}

function single(ctx: WorkflowContext, name: string, op: Single, acc: number): Promise<unknown> {
  switch (op.op) {
    case 'step':
      return ctx.step(name, ({ idempotencyKey }) => derivedValue(idempotencyKey, op.salt, acc));
    case 'flaky':
      return ctx.step(
        name,
        ({ idempotencyKey, attempt }) => {
          if (attempt <= op.failures) throw new Error(`${name} unavailable on attempt ${attempt}`);
          return derivedValue(idempotencyKey, op.failures, acc);
        },
        { retry: { maxAttempts: op.maxAttempts, initialInterval: op.intervalMs, jitter: 0 } },
      );
    case 'fatal':
      return ctx.step(name, () => {
        throw ApplicationFailure.nonRetryable(`${name} rejected`, 'Rejected');
      });
  }
}

async function perform(ctx: WorkflowContext, i: number, op: Operation, acc: number): Promise<unknown> {
  switch (op.op) {
    case 'step':
    case 'flaky':
    case 'fatal':
      try {
        return await single(ctx, `op${i}`, op, acc);
      } catch (err) {
        return failed(err);
      }
    case 'parallel':
      return Promise.all(op.branches.map((b, j) => single(ctx, `op${i}.${j}`, b, acc).catch(failed)));
    case 'sleep':
      await ctx.sleep(op.ms);
      return 'slept';
    case 'task': {
      const r = await ctx.task({
        kind: `approval-${i}`,
        title: `Approve operation ${i}`,
        role: 'ops',
        outcomes: ['approve', 'reject'],
        data: { decide: op.outcome },
      });
      return { outcome: r.outcome, values: r.values, by: r.by };
    }
    case 'emit':
      await ctx.emit('test.shape.noted', { op: i, acc });
      return 'emitted';
    case 'event': {
      const e = await ctx.waitForEvent(signalType(i), {
        match: { op: i },
        ...(op.delivery === 'never' ? { timeout: op.timeoutMs } : {}),
      });
      return e ? e.data : null;
    }
  }
}

const shaped = defineWorkflow({
  name: 'test.property.shape',
  version: 1,
  input: Shape,
  async run(ctx, shape) {
    const results: unknown[] = [];
    let acc = 1;
    for (const [i, op] of shape.ops.entries()) {
      const result = await perform(ctx, i, op, acc);
      results.push(result);
      acc = mix(acc, result);
    }
    return results;
  },
});

// ------------------------------------------------------------------ generators

const singleArb: fc.Arbitrary<Single> = fc.oneof(
  fc.record({ op: fc.constant('step' as const), salt: fc.integer({ min: 0, max: 999 }) }),
  fc
    .record({
      failures: fc.integer({ min: 1, max: 3 }),
      // a spare of 0 means the retries run out and the workflow catches the failure
      spare: fc.integer({ min: 0, max: 3 }),
      intervalMs: fc.integer({ min: 1, max: 5 }),
    })
    .map(({ failures, spare, intervalMs }) => ({
      op: 'flaky' as const,
      failures,
      maxAttempts: failures + spare,
      intervalMs,
    })),
  fc.constant({ op: 'fatal' as const }),
);

const opArb: fc.Arbitrary<Operation> = fc.oneof(
  singleArb,
  fc.record({ op: fc.constant('sleep' as const), ms: fc.integer({ min: 1, max: 20 }) }),
  fc.record({
    op: fc.constant('task' as const),
    outcome: fc.constantFrom('approve' as const, 'reject' as const),
  }),
  fc.constant({ op: 'emit' as const }),
  fc.record({
    op: fc.constant('parallel' as const),
    branches: fc.array(singleArb, { minLength: 2, maxLength: 3 }),
  }),
  fc.record({
    op: fc.constant('event' as const),
    delivery: fc.constantFrom('early' as const, 'late' as const, 'never' as const),
    value: fc.integer({ min: 0, max: 999 }),
    timeoutMs: fc.integer({ min: 1, max: 20 }),
  }),
);

const shapeArb: fc.Arbitrary<Shape> = fc.record({ ops: fc.array(opArb, { minLength: 1, maxLength: 8 }) });

/**
 * Where an engine crashes: once the crashed run as a whole (every engine on the file counted) has
 * emitted a share (`at` per mille) of the events the uninterrupted run emitted, either inside the
 * listener of that event (`now`), on the next turn of the event loop (`soon`) or a few milliseconds
 * later. A point already passed fires on the first event of the next engine, so a crash can also
 * hit an engine that has just recovered the run.
 */
interface CrashPoint {
  at: number;
  timing: 'now' | 'soon' | number;
}

const crashArb: fc.Arbitrary<CrashPoint> = fc.record({
  at: fc.integer({ min: 0, max: 999 }),
  timing: fc.oneof(
    fc.constant('now' as const),
    fc.constant('soon' as const),
    fc.integer({ min: 1, max: 30 }),
  ),
});

// ------------------------------------------------------------------ one engine process on the file

interface Session {
  engine: Engine;
  store: Store;
  /** Engine events seen so far. */
  events: number;
  crashed: boolean;
  timer?: NodeJS.Timeout;
}

/** `crash.afterEvents` counts the events of this engine only. */
function openSession(path: string, crash?: { afterEvents: number; timing: CrashPoint['timing'] }): Session {
  const store = openSqliteStore({ path, durability: 'normal' });
  const engine = new Engine({
    store,
    workflows: [shaped],
    config: { worker: { leaseMs: LEASE_MS, pollIntervalMs: 10, maintenanceIntervalMs: 1_000 } },
  });
  const s: Session = { engine, store, events: 0, crashed: false };
  const halt = () => {
    s.crashed = true;
    engine.halt();
  };
  engine.events.on('*', () => {
    s.events++;
    if (!crash || s.events !== crash.afterEvents) return;
    if (crash.timing === 'now') halt();
    else if (crash.timing === 'soon') setImmediate(halt);
    else s.timer = setTimeout(halt, crash.timing);
  });
  engine.start();
  return s;
}

async function closeSession(s: Session): Promise<void> {
  if (s.timer) clearTimeout(s.timer);
  if (s.crashed) s.engine.halt();
  else await s.engine.stop(5_000);
  await s.store.close();
}

// ------------------------------------------------------------------ the outside world

interface Signal {
  id: string;
  type: string;
  data: { op: number; value: number };
}

/** The events the test delivers: before the run starts (early) or once the run waits (late). */
function signalsOf(shape: Shape): { early: Signal[]; late: Map<string, Signal> } {
  const early: Signal[] = [];
  const late = new Map<string, Signal>();
  for (const [i, op] of shape.ops.entries()) {
    if (op.op !== 'event' || op.delivery === 'never') continue;
    const signal = { id: `signal-${i}`, type: signalType(i), data: { op: i, value: op.value } };
    if (op.delivery === 'early') early.push(signal);
    else late.set(signal.type, signal);
  }
  return { early, late };
}

async function deliver(engine: Engine, signal: Signal): Promise<void> {
  // a decoy of the same type that the wait's match must skip
  await engine.deliverEvent({ id: `decoy-${signal.id}`, type: signal.type, data: { op: -1, value: 0 } });
  await engine.deliverEvent(signal);
}

const ignoreConflict = (err: unknown) => {
  if (!(err instanceof ConflictError)) throw err;
};

/** Completes open tasks with the outcome their data asks for and delivers events runs wait for. */
async function serve(s: Session, runId: string, late: Map<string, Signal>): Promise<void> {
  for (const t of await s.store.listTasks({ runId, status: 'open' })) {
    if (s.crashed) return;
    const { decide } = t.data as { decide: string };
    await s.engine
      .completeTask(t.id, { outcome: decide, values: { note: `decided ${t.kind}` }, by: 'ops-tester' })
      .catch(ignoreConflict);
  }
  for (const e of await s.store.loadJournal(runId)) {
    if (s.crashed) return;
    const signal = e.kind === 'event' && e.status === 'pending' ? late.get(e.name) : undefined;
    if (signal) await deliver(s.engine, signal);
  }
}

// ------------------------------------------------------------------ runs and their normal form

/** The journal without times, deadlines and random ids. */
function normalise(entries: JournalEntry[]) {
  return entries.map((e) => ({
    position: e.position,
    kind: e.kind,
    name: e.name,
    status: e.status,
    result: normalResult(e),
    error: e.error?.message,
    attempts: e.attempts,
  }));
}

function normalResult(e: JournalEntry): unknown {
  if (e.result === undefined || e.result === null) return e.result;
  const r = e.result as Record<string, unknown>;
  switch (e.kind) {
    case 'emit':
      return Object.keys(r); // only a random outbox id
    case 'event':
      return { type: r.type, data: r.data };
    case 'task':
      return { outcome: r.outcome, values: r.values, by: r.by };
    default:
      return e.result;
  }
}

interface Outcome {
  run: RunRecord;
  journal: ReturnType<typeof normalise>;
  outbox: unknown[];
  tasks: unknown[];
  /** Events of the first engine; for an uninterrupted run, all of them. */
  events: number;
  crashes: number;
}

interface Crash {
  /** Events of every engine so far, the first included. */
  afterEvents: number;
  timing: CrashPoint['timing'];
}

/** Runs `shape` to its end on a fresh database, crashing at each of `crashes` (in event order) in turn. */
async function execute(path: string, shape: Shape, crashes: Crash[] = []): Promise<Outcome> {
  const { early, late } = signalsOf(shape);
  const pending = [...crashes];
  let seen = 0;
  const open = () => {
    const next = pending.shift();
    return openSession(
      path,
      next && { afterEvents: Math.max(1, next.afterEvents - seen), timing: next.timing },
    );
  };
  let s = open();
  const firstSession = s;
  let crashed = 0;
  let earlyDelivered = false;
  try {
    const { id: runId } = await s.engine.startRun(shaped, shape);
    const deadline = Date.now() + CASE_TIMEOUT_MS;
    for (;;) {
      if (s.crashed) {
        crashed++;
        seen += s.events;
        await closeSession(s); // queued writes of the halted engine may still land
        s = open();
        continue;
      }
      const run = await s.store.getRun(runId);
      if (run && isTerminal(run.status)) break;
      if (Date.now() > deadline) {
        const journal = normalise(await s.store.loadJournal(runId));
        throw new Error(
          `run is still ${run?.status} after ${CASE_TIMEOUT_MS} ms; journal ${JSON.stringify(journal)}`,
        );
      }
      if (!earlyDelivered) {
        for (const signal of early) await deliver(s.engine, signal);
        earlyDelivered = !s.crashed;
      }
      await serve(s, runId, late);
      await sleep(5);
    }
    return {
      run: (await s.store.getRun(runId))!,
      journal: normalise(await s.store.loadJournal(runId)),
      outbox: (await s.store.readOutbox({ limit: 1_000 }))
        .map((o) => ({ position: o.position, type: o.type, data: o.data }))
        .sort((a, b) => a.position - b.position),
      tasks: (await s.store.listTasks({ runId, limit: 1_000 }))
        .map((t) => ({
          position: t.position,
          kind: t.kind,
          status: t.status,
          outcome: t.outcome,
          values: t.values,
        }))
        .sort((a, b) => a.position - b.position),
      events: firstSession.events,
      crashes: crashed,
    };
  } finally {
    await closeSession(s);
  }
}

// ------------------------------------------------------------------ the property

test('after crashes and recovery the journal equals that of the same run without crashes', async (t) => {
  const dir = tempDir('baton-property-');
  let cases = 0;
  let crashes = 0;
  await fc.assert(
    fc.asyncProperty(shapeArb, fc.array(crashArb, { minLength: 1, maxLength: 3 }), async (shape, points) => {
      const n = ++cases;
      const reference = await execute(join(dir, `case-${n}-reference.db`), shape);
      assert.equal(
        reference.run.status,
        'completed',
        `reference run ended ${JSON.stringify(reference.run.error)}`,
      );
      const crashed = await execute(
        join(dir, `case-${n}-crashed.db`),
        shape,
        points
          .map((p) => ({ afterEvents: 1 + Math.floor((p.at / 1000) * reference.events), timing: p.timing }))
          .sort((a, b) => a.afterEvents - b.afterEvents),
      );
      crashes += crashed.crashes;
      assert.equal(
        crashed.run.status,
        'completed',
        `recovered run ended ${JSON.stringify(crashed.run.error)}`,
      );
      assert.deepEqual(crashed.run.output, reference.run.output);
      assert.deepEqual(crashed.journal, reference.journal);
      assert.deepEqual(crashed.outbox, reference.outbox);
      assert.deepEqual(crashed.tasks, reference.tasks);
    }),
    { numRuns: 40, includeErrorInReport: true },
  );
  t.diagnostic(`${cases} cases, ${crashes} crashes recovered`);
  assert.ok(crashes > 0, 'no case crashed: the crash points never fired');
});

// ------------------------------------------------------------------ regressions found by the property

test('a replayed step failure rejects the call instead of throwing out of ctx.step', async () => {
  const dir = tempDir('baton-property-');
  const wf = defineWorkflow({
    name: 'test.property.replayed-failure',
    version: 1,
    async run(ctx) {
      const settled = await Promise.all([
        ctx
          .step('rejected', () => {
            throw ApplicationFailure.nonRetryable('credit blocked', 'CreditBlocked');
          })
          .catch(failed),
        ctx.step('reserved', () => 'reserved').catch(failed),
      ]);
      await ctx.sleep(5); // suspends, so the run replays both steps from the journal
      return settled;
    },
  });
  const store = openSqliteStore({ path: join(dir, 'replayed-failure.db'), durability: 'normal' });
  const engine = new Engine({ store, workflows: [wf], config: { worker: { pollIntervalMs: 10 } } }).start();
  try {
    const run = await engine.startRun(wf, {});
    const done = await engine.waitForRun(run.id);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.deepEqual(done.output, [
      { failed: 'step "rejected" failed after 1 attempt(s): credit blocked' },
      'reserved',
    ]);
    assert.deepEqual(
      (await engine.journal(run.id)).map((e) => [e.position, e.name, e.status]),
      [
        [0, 'rejected', 'failed'],
        [1, 'reserved', 'completed'],
        [2, 'sleep', 'completed'],
      ],
    );
  } finally {
    await engine.stop(5_000);
    await store.close();
  }
});
