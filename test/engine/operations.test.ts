import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { ConflictError, newId } from '../../src/core/index.js';
import { type AnyWorkflow, defineWorkflow, Engine } from '../../src/engine/index.js';
import { engineBackends, eventually, sleep, startEngineOn } from '../helpers.js';

for (const backend of await engineBackends()) {
  describe(`engine on ${backend.name}`, { skip: backend.skip }, () => {
    const startEngine = (w: AnyWorkflow[], o: Parameters<typeof startEngineOn>[2] = {}) =>
      startEngineOn(backend, w, o);

    test('cancel stops a waiting run, cancels its open tasks, and refuses to cancel a finished run', async () => {
      const wait = defineWorkflow({
        name: 'test.cancel',
        version: 1,
        async run(ctx) {
          await ctx.task({ kind: 'approval', title: 'Approve', role: 'finance', outcomes: ['ok'] });
          return 'never';
        },
      });
      const { engine } = await startEngine([wait]);
      const run = await engine.startRun(wait, {});
      await eventually(async () => (await engine.listTasks({ runId: run.id, status: 'open' })).length === 1);
      await eventually(async () => (await engine.getRun(run.id)).status === 'waiting');
      const cancelled = await engine.cancel(run.id, 'customer withdrew the order');
      assert.equal(cancelled.status, 'cancelled');
      assert.equal((await engine.listTasks({ runId: run.id }))[0]?.status, 'cancelled');
      await assert.rejects(() => engine.retry(run.id), ConflictError);
      assert.equal((await engine.cancel(run.id)).status, 'cancelled', 'cancelling twice is harmless');
      const quick = defineWorkflow({ name: 'test.quick', version: 1, run: async () => 'done' });
      engine.register(quick);
      const finished = await engine.waitForRun((await engine.startRun(quick, {})).id);
      await assert.rejects(() => engine.cancel(finished.id), ConflictError);
    });

    test('cancel reaches a run that is executing a step', async () => {
      let started = false;
      const busy = defineWorkflow({
        name: 'test.busy',
        version: 1,
        async run(ctx) {
          await ctx.step('slow', async ({ signal }) => {
            started = true;
            await new Promise((r) => signal.addEventListener('abort', r));
          });
          await ctx.step('never', () => 1);
        },
      });
      const { engine } = await startEngine([busy]);
      const run = await engine.startRun(busy, {});
      await eventually(() => started);
      await engine.cancel(run.id);
      const done = await engine.waitForRun(run.id, 5000);
      assert.equal(done.status, 'cancelled');
      assert.equal((await engine.journal(run.id)).length, 0);
    });

    test('retry re-runs a failed run from the failed step, reusing earlier results', async () => {
      let erpUp = false;
      const counts = { validate: 0, post: 0 };
      const posting = defineWorkflow({
        name: 'test.posting',
        version: 1,
        async run(ctx) {
          await ctx.step('validate', () => ++counts.validate);
          return ctx.step(
            'post-invoice',
            () => {
              counts.post++;
              if (!erpUp) throw new Error('ERP rejected the posting period');
              return 'posted';
            },
            { retry: { maxAttempts: 1 } },
          );
        },
      });
      const { engine } = await startEngine([posting]);
      const run = await engine.startRun(posting, {});
      assert.equal((await engine.waitForRun(run.id)).status, 'failed');
      erpUp = true;
      await engine.retry(run.id);
      const done = await engine.waitForRun(run.id);
      assert.equal(done.status, 'completed');
      assert.equal(done.output, 'posted');
      assert.deepEqual(counts, { validate: 1, post: 2 });
      assert.ok((await engine.history(run.id)).some((h) => h.type === 'run.retried'));
    });

    test('restart from position N reuses the results recorded before N and re-runs the rest', async () => {
      const counts = [0, 0, 0];
      const three = defineWorkflow({
        name: 'test.three',
        version: 1,
        async run(ctx) {
          const out: number[] = [];
          for (let i = 0; i < 3; i++) out.push(await ctx.step(`s${i}`, () => ++counts[i]!));
          return out;
        },
      });
      const { engine } = await startEngine([three]);
      const run = await engine.startRun(three, {});
      assert.deepEqual((await engine.waitForRun(run.id)).output, [1, 1, 1]);
      await engine.restart(run.id, 1);
      const done = await engine.waitForRun(run.id);
      assert.deepEqual(done.output, [1, 2, 2]);
      assert.deepEqual(counts, [1, 2, 2]);
    });

    test('changing the order of steps under a run in flight fails it with a NonDeterminismError', async () => {
      const path = backend.location();
      const v1 = defineWorkflow({
        name: 'test.reorder',
        version: 1,
        async run(ctx) {
          await ctx.step('reserve-stock', () => 'r');
          await ctx.sleep(60_000);
          await ctx.step('release-to-wms', () => 'w');
        },
      });
      const a = await startEngine([v1], { location: path });
      const run = await a.engine.startRun(v1, {});
      await eventually(async () => (await a.engine.getRun(run.id)).status === 'waiting');
      await a.engine.stop();
      await a.store.close();

      const reordered = defineWorkflow({
        name: 'test.reorder',
        version: 1,
        async run(ctx) {
          await ctx.step('release-to-wms', () => 'w');
          await ctx.step('reserve-stock', () => 'r');
        },
      });
      const b = await startEngine([reordered], { location: path });
      await b.engine.restart(run.id, 2); // make it runnable now, keeping positions 0 and 1
      const done = await b.engine.waitForRun(run.id);
      assert.equal(done.status, 'failed');
      assert.equal(done.error?.code, 'NON_DETERMINISM');
      assert.match(done.error?.message ?? '', /position 0/);
      assert.match(done.error?.message ?? '', /recorded step "reserve-stock"/);
      assert.match(done.error?.message ?? '', /asked for step "release-to-wms"/);
      assert.deepEqual(done.error?.details?.recorded, { kind: 'step', name: 'reserve-stock' });
    });

    test('runs stay on their version; a run whose version is gone is stranded and resumes when it is registered again', async () => {
      const path = backend.location();
      const mk = (version: number) =>
        defineWorkflow({
          name: 'test.versioned',
          version,
          async run(ctx) {
            await ctx.sleep(100);
            return `v${version}`;
          },
        });
      const a = await startEngine([mk(1), mk(2)], { location: path });
      const old = await a.engine.startRun(mk(1), {});
      const latest = await a.engine.startRun('test.versioned', {});
      assert.equal(latest.version, 2);
      await eventually(async () => (await a.engine.getRun(old.id)).status === 'waiting');
      await a.engine.stop();
      await a.store.close();

      const b = await startEngine([mk(2)], { location: path });
      assert.equal((await b.engine.waitForRun(latest.id)).output, 'v2');
      await eventually(async () => (await b.engine.getRun(old.id)).status === 'stranded', 5000, 'stranded');
      assert.equal((await b.engine.searchRuns({ status: 'stranded' }))[0]?.id, old.id);
      await b.engine.stop();
      await b.store.close();

      const c = await startEngine([mk(1), mk(2)], { location: path });
      const done = await c.engine.waitForRun(old.id);
      assert.equal(done.output, 'v1');
    });

    test('at most one run at a time per concurrency key; other keys proceed', async () => {
      const perOrder = defineWorkflow({
        name: 'test.per-order',
        version: 1,
        input: Type.Object({ orderId: Type.String(), n: Type.Number() }),
        concurrency: { key: (i) => i.orderId },
        async run(ctx, input) {
          await ctx.step('enter', () => input.n);
          await ctx.sleep(30);
          await ctx.step('leave', () => input.n);
          return input.n;
        },
      });
      const { engine } = await startEngine([perOrder]);
      const runs = await Promise.all([1, 2, 3].map((n) => engine.startRun(perOrder, { orderId: 'SO-1', n })));
      const other = await engine.startRun(perOrder, { orderId: 'SO-2', n: 9 });
      const done = await Promise.all(runs.map((r) => engine.waitForRun(r.id)));
      assert.ok(done.every((r) => r.status === 'completed'));
      assert.equal((await engine.waitForRun(other.id)).status, 'completed');
      // the runs for SO-1 never overlapped: each one's first step began after the previous one's last
      // step ended (step times are taken as the steps run, so they order cause and effect)
      const spans = await Promise.all(
        done.map(async (r) => {
          const j = await engine.journal(r.id);
          return [j[0]!.startedAt, j[j.length - 1]!.endedAt ?? 0] as const;
        }),
      );
      spans.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < spans.length; i++) {
        assert.ok(spans[i]![0] >= spans[i - 1]![1], 'runs of one order overlapped');
      }
    });

    test('a resource limit caps concurrent calls to a downstream system', async () => {
      let inErp = 0;
      let peak = 0;
      const erpCall = defineWorkflow({
        name: 'test.erp-call',
        version: 1,
        async run(ctx) {
          await ctx.step(
            'erp',
            async () => {
              inErp++;
              peak = Math.max(peak, inErp);
              await sleep(15);
              inErp--;
            },
            { resource: 'erp' },
          );
        },
      });
      const { engine } = await startEngine([erpCall], {
        config: { resources: { erp: { maxConcurrent: 2 } } },
      });
      const runs = await Promise.all(Array.from({ length: 8 }, () => engine.startRun(erpCall, {})));
      await Promise.all(runs.map((r) => engine.waitForRun(r.id)));
      assert.equal(peak, 2);
    });

    test('a rate limit spaces calls to a downstream system', async () => {
      const stamps: number[] = [];
      const ping = defineWorkflow({
        name: 'test.rate',
        version: 1,
        async run(ctx) {
          await ctx.step('crm', () => stamps.push(Date.now()), { resource: 'crm' });
        },
      });
      const { engine } = await startEngine([ping], { config: { resources: { crm: { perSecond: 20 } } } });
      const runs = await Promise.all(Array.from({ length: 30 }, () => engine.startRun(ping, {})));
      await Promise.all(runs.map((r) => engine.waitForRun(r.id)));
      stamps.sort((a, b) => a - b);
      // 20 tokens up front, then 20 per second: the last 10 calls cannot start before ~0.5 s
      assert.ok(stamps[29]! - stamps[0]! >= 400, `30 calls at 20/s took only ${stamps[29]! - stamps[0]!} ms`);
    });

    test('a run whose worker died is recovered when its lease expires (seeded stale lease)', async () => {
      const path = backend.location();
      const wf = defineWorkflow({
        name: 'test.recover',
        version: 1,
        async run(ctx) {
          return ctx.step('s', () => 'done');
        },
      });
      const store = await backend.open(path);
      const id = newId();
      const past = Date.now() - 4 * 3600_000;
      await store.createRun(
        { id, workflow: 'test.recover', version: 1, input: {}, createdAt: past },
        { owner: 'dead-worker', leaseMs: 1000 },
      );
      await store.close();
      const { engine } = await startEngine([wf], { location: path });
      const recovered: string[] = [];
      engine.events.on('run.recovered', (e) => recovered.push(e.runId));
      const done = await engine.waitForRun(id);
      assert.equal(done.status, 'completed');
      assert.deepEqual(recovered, [id]);
      const h = (await engine.history(id)).find((x) => x.type === 'run.recovered');
      assert.equal(h?.data?.previousOwner, 'dead-worker');
    });

    test('a worker whose lease was taken over cannot commit (fencing)', async () => {
      const path = backend.location();
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const wf = defineWorkflow({
        name: 'test.fence',
        version: 1,
        async run(ctx) {
          return ctx.step('slow', async () => {
            await gate;
            return 'from-first-worker';
          });
        },
      });
      const store = await backend.open(path);
      const first = new Engine({
        store,
        workflows: [wf],
        config: { worker: { leaseMs: 300, pollIntervalMs: 20 } },
      });
      first.start();
      const run = await first.startRun(wf, {});
      // stop heartbeats by halting, as a frozen process would; the in-flight step is still pending
      first.halt();
      const other = new Engine({
        store,
        workflows: [wf],
        config: { worker: { leaseMs: 5000, pollIntervalMs: 20 } },
      });
      const claimed = await eventually(async () => {
        const c = await store.claimRuns({
          owner: 'second',
          limit: 1,
          leaseMs: 5000,
          now: Date.now(),
          workflows: ['test.fence@1'],
        });
        return c.length ? c : undefined;
      });
      assert.equal(claimed[0]?.recovered, true);
      const stale = await store.commit({
        runId: run.id,
        leaseToken: run.leaseToken,
        wakeSeq: 0,
        at: Date.now(),
        journal: [
          {
            position: 0,
            kind: 'step',
            name: 'slow',
            status: 'completed',
            result: 'stale',
            attempts: 1,
            startedAt: 1,
          },
        ],
      });
      assert.deepEqual(stale, { ok: false, reason: 'lease-lost' });
      release();
      assert.equal((await store.loadJournal(run.id)).length, 0);
      await other.stop();
      await store.close();
    });

    test('step completions of concurrent runs share transactions (group commit)', async () => {
      const wf = defineWorkflow({
        name: 'test.group',
        version: 1,
        async run(ctx) {
          for (let i = 0; i < 3; i++) await ctx.step(`s${i}`, () => i);
        },
      });
      const { engine, store } = await startEngine([wf]);
      const before = store.stats();
      const runs = await Promise.all(Array.from({ length: 40 }, () => engine.startRun(wf, {})));
      await Promise.all(runs.map((r) => engine.waitForRun(r.id)));
      const after = store.stats();
      const ops = after.operations - before.operations;
      const txs = after.transactions - before.transactions;
      assert.ok(ops >= 40 * 3, `expected at least ${40 * 3} operations, got ${ops}`);
      assert.ok(txs < ops / 2, `${ops} operations took ${txs} transactions`);
    });
  });
}
