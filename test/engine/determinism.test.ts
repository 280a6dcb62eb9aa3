/**
 * Workflow time (`ctx.now()`) moves when the code observes a durable call's result, not when the
 * call is made: a call started early and awaited later must not move the time of the code in
 * between, neither live nor when the run is re-executed with the result already recorded.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { ApplicationFailure, ManualClock } from '../../src/core/index.js';
import { defineWorkflow, type RecordedRun, replayRun } from '../../src/engine/index.js';
import type { JournalEntry, RunRecord } from '../../src/store/index.js';
import { eventually, sleep, startEngine } from '../helpers.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);

const child = defineWorkflow({
  name: 'test.determinism.child',
  version: 1,
  input: Type.Object({ fail: Type.Boolean() }),
  async run(ctx, input) {
    const go = await ctx.waitForEvent<{ note: string }>('test.determinism.go');
    if (input.fail) throw ApplicationFailure.nonRetryable('child gave up', 'GaveUp');
    return { note: go?.data.note ?? null };
  },
});

const Mode = Type.Union([Type.Literal('await'), Type.Literal('then'), Type.Literal('fail')]);

/**
 * Starts a child, then polls on workflow time until a deadline 50 minutes on, and only then awaits
 * the child. `then` attaches handlers to the child at once (as a flow that collects children does).
 */
const parent = defineWorkflow({
  name: 'test.determinism.parent',
  version: 1,
  input: Type.Object({ mode: Mode }),
  async run(ctx, input) {
    const started = ctx.now().getTime();
    const call = ctx.child(child, { fail: input.mode === 'fail' });
    const pending =
      input.mode === 'then'
        ? call.then(
            (out) => ({ out }),
            (err: unknown) => ({ failed: String(err) }),
          )
        : call;
    const deadline = started + 50 * MIN;
    let rounds = 0;
    while (ctx.now().getTime() < deadline) {
      rounds++;
      await ctx.sleep('15m');
    }
    const loopEndedAt = ctx.now().getTime() - started;
    let out: unknown;
    try {
      out = await pending;
    } catch (err) {
      out = { caught: err instanceof Error ? err.name : String(err) };
    }
    const observedAt = ctx.now().getTime() - started;
    await ctx.step('record', () => ({ rounds, loopEndedAt }));
    return { rounds, loopEndedAt, observedAt, out };
  },
});

const recordedRun = (run: RunRecord, journal: JournalEntry[]): RecordedRun => ({
  runId: run.id,
  workflow: run.workflow,
  version: run.version,
  input: run.input,
  createdAt: run.createdAt,
  ...(run.startedAt !== undefined ? { startedAt: run.startedAt } : {}),
  status: run.status,
  ...(run.output !== undefined ? { output: run.output } : {}),
  ...(run.error ? { error: run.error } : {}),
  journal,
});

/**
 * Runs the parent with a manual clock: the sleeps at 0, 15 and 30 minutes fire, the child completes
 * at 55 minutes (while the sleep started at 45 minutes waits until 60), then the last sleep fires.
 */
async function runScenario(mode: 'await' | 'then' | 'fail') {
  const clock = new ManualClock(T0);
  const { engine } = startEngine([parent, child], { clock });
  const run = await engine.startRun(parent, { mode });
  const sleepPending = async (position: number) =>
    eventually(
      async () => {
        const r = await engine.getRun(run.id);
        if (r.status === 'failed') throw new Error(`parent failed: ${r.error?.message}`);
        const e = (await engine.journal(run.id)).find((x) => x.position === position);
        return r.status === 'waiting' && e?.kind === 'sleep' && e.status === 'pending';
      },
      10_000,
      `sleep at position ${position}`,
    );
  await sleepPending(1);
  for (let k = 1; k <= 3; k++) {
    clock.set(T0 + 15 * MIN * k);
    await sleepPending(1 + k);
  }
  // the child completes while the parent sleeps until 60 minutes; its completion wakes the parent
  clock.set(T0 + 55 * MIN);
  const childRun = (await engine.searchRuns({ workflow: child.name }))[0]!;
  await eventually(
    async () => (await engine.getRun(childRun.id)).status === 'waiting',
    10_000,
    'child to wait',
  );
  await engine.deliverEvent({ type: 'test.determinism.go', data: { note: 'ready' } });
  await eventually(
    async () => {
      const c = await engine.getRun(childRun.id);
      const entry = (await engine.journal(run.id)).find((x) => x.position === 0);
      return (c.status === 'completed' || c.status === 'failed') && entry?.status !== 'pending';
    },
    10_000,
    'child result recorded in the parent',
  );
  // let the woken parent re-execute with the child's result recorded
  await eventually(
    async () => {
      const r = await engine.getRun(run.id);
      return r.status !== 'pending' && r.status !== 'running';
    },
    10_000,
    'parent to settle',
  );
  await sleep(50);
  const mid = await engine.getRun(run.id);
  assert.notEqual(mid.status, 'failed', `parent failed after the child ended: ${mid.error?.message}`);
  clock.set(T0 + 60 * MIN);
  const done = await engine.waitForRun(run.id, 10_000);
  return { done, journal: await engine.journal(run.id) };
}

for (const mode of ['await', 'then', 'fail'] as const) {
  test(`a child started early and observed after a time-based loop keeps the recorded branch (${mode})`, async () => {
    const { done, journal } = await runScenario(mode);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    const out = done.output as { rounds: number; loopEndedAt: number; observedAt: number; out: unknown };
    assert.equal(out.rounds, 4);
    assert.equal(out.loopEndedAt, 60 * MIN);
    assert.equal(out.observedAt, 60 * MIN, 'the child ended before the loop did');
    if (mode === 'await') assert.deepEqual(out.out, { note: 'ready' });
    if (mode === 'then') assert.deepEqual(out.out, { out: { note: 'ready' } });
    if (mode === 'fail') assert.deepEqual(out.out, { caught: 'ChildFailedError' });
    assert.deepEqual(
      journal.map((e) => [e.position, e.kind, e.status]),
      [
        [0, 'child', mode === 'fail' ? 'failed' : 'completed'],
        [1, 'sleep', 'completed'],
        [2, 'sleep', 'completed'],
        [3, 'sleep', 'completed'],
        [4, 'sleep', 'completed'],
        [5, 'step', 'completed'],
      ],
    );
    assert.equal(journal[0]!.endedAt, T0 + 55 * MIN);

    // the recorded journal replays against the same code, without performing any call
    const replayed = await replayRun(parent, recordedRun(done, journal));
    assert.equal(replayed.status, 'completed');
    assert.deepEqual(replayed.output, done.output);
    assert.equal(replayed.calls, journal.length);
  });
}

// ------------------------------------------------------------------ parallel results

const parallel = defineWorkflow({
  name: 'test.determinism.parallel',
  version: 1,
  async run(ctx) {
    const [slow, fast] = await Promise.all([
      ctx.step('slow', async () => {
        await sleep(60);
        return 'slow';
      }),
      ctx.step('fast', () => 'fast'),
    ]);
    const seen = ctx.now().getTime();
    const recorded = await ctx.step('seen', () => seen);
    await ctx.sleep(1); // suspends: the last execution replays both steps from the journal
    return { slow, fast, recorded, replayed: seen };
  },
});

test('Promise.all of two steps observes the later of their end times, live and on replay', async () => {
  const { engine } = startEngine([parallel]);
  const run = await engine.startRun(parallel, {});
  const done = await engine.waitForRun(run.id, 10_000);
  assert.equal(done.status, 'completed', JSON.stringify(done.error));
  const journal = await engine.journal(run.id);
  const [slow, fast] = [journal[0]!, journal[1]!];
  assert.deepEqual([slow.name, fast.name], ['slow', 'fast']);
  assert.ok(slow.endedAt! > fast.endedAt!, 'the slow step ended later');
  const out = done.output as { recorded: number; replayed: number };
  assert.equal(out.recorded, slow.endedAt);
  assert.equal(out.replayed, slow.endedAt);
  const replayed = await replayRun(parallel, recordedRun(done, journal));
  assert.deepEqual(replayed.output, done.output);
});

// ------------------------------------------------------------------ replays of crafted journals

const entry = (
  e: Partial<JournalEntry> & Pick<JournalEntry, 'position' | 'kind' | 'name'>,
): JournalEntry => ({
  runId: 'run-crafted',
  status: 'completed',
  attempts: 1,
  startedAt: T0,
  ...e,
});

const crafted = (workflow: string, journal: JournalEntry[], input: unknown = {}): RecordedRun => ({
  runId: 'run-crafted',
  workflow,
  version: 1,
  input,
  createdAt: T0,
  startedAt: T0,
  status: 'completed',
  journal,
});

const observer = defineWorkflow({
  name: 'test.determinism.observer',
  version: 1,
  async run(ctx) {
    const times: number[] = [];
    const at = () => times.push(ctx.now().getTime() - T0);
    const late = ctx.step('late', () => 'late');
    const failing = ctx.step('failing', () => 'unused');
    at(); // neither result observed yet
    await ctx.emit('test.noted', {});
    at();
    const early = await ctx.step('early', () => 'early');
    at();
    const caught = await failing.catch((err: unknown) => (err instanceof Error ? err.name : 'unknown'));
    at();
    await late;
    at();
    return { early, caught, times };
  },
});

test('a replayed result, value or failure, moves workflow time only where the code awaits it', async () => {
  const journal = [
    entry({ position: 0, kind: 'step', name: 'late', result: 'late', endedAt: T0 + 40 * MIN }),
    entry({
      position: 1,
      kind: 'step',
      name: 'failing',
      status: 'failed',
      error: { name: 'Error', message: 'no' },
      endedAt: T0 + 30 * MIN,
    }),
    entry({ position: 2, kind: 'emit', name: 'test.noted', result: {}, endedAt: T0 + 5 * MIN }),
    entry({ position: 3, kind: 'step', name: 'early', result: 'early', endedAt: T0 + 10 * MIN }),
  ];
  const res = await replayRun(observer, crafted(observer.name, journal));
  assert.equal(res.status, 'completed');
  assert.deepEqual(res.output, {
    early: 'early',
    caught: 'StepFailedError',
    times: [0, 5 * MIN, 10 * MIN, 30 * MIN, 40 * MIN],
  });
});
