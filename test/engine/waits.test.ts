import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { ValidationError } from '../../src/core/index.js';
import { type AnyWorkflow, defineWorkflow } from '../../src/engine/index.js';
import { engineBackends, eventually, sleep, startEngineOn } from '../helpers.js';

for (const backend of await engineBackends()) {
  describe(`engine on ${backend.name}`, { skip: backend.skip }, () => {
    const startEngine = (w: AnyWorkflow[], o: Parameters<typeof startEngineOn>[2] = {}) =>
      startEngineOn(backend, w, o);

    const shipment = defineWorkflow({
      name: 'test.shipment',
      version: 1,
      input: Type.Object({
        orderId: Type.String(),
        timeout: Type.Optional(Type.String()),
        lookback: Type.Optional(Type.String()),
      }),
      async run(ctx, input) {
        const ev = await ctx.waitForEvent<{ orderId: string; carrier: string }>('shipment.dispatched', {
          match: { orderId: input.orderId },
          timeout: input.timeout ?? '1h',
          lookback: input.lookback ?? '1h',
        });
        if (!ev) return { path: 'timeout' };
        return { path: 'shipped', carrier: ev.data.carrier };
      },
    });

    test('an event delivered while the run waits resumes it; other orders do not match', async () => {
      const { engine } = await startEngine([shipment]);
      const run = await engine.startRun(shipment, { orderId: 'SO-10' });
      await eventually(async () => (await engine.getRun(run.id)).status === 'waiting', 5000, 'run to wait');
      const other = await engine.deliverEvent({
        type: 'shipment.dispatched',
        data: { orderId: 'SO-99', carrier: 'DHL' },
      });
      assert.deepEqual(other.woke, []);
      const res = await engine.deliverEvent({
        type: 'shipment.dispatched',
        id: 'evt-1',
        data: { orderId: 'SO-10', carrier: 'UPS' },
      });
      assert.deepEqual(res.woke, [run.id]);
      const again = await engine.deliverEvent({
        type: 'shipment.dispatched',
        id: 'evt-1',
        data: { orderId: 'SO-10', carrier: 'UPS' },
      });
      assert.equal(again.duplicate, true);
      const done = await engine.waitForRun(run.id);
      assert.deepEqual(done.output, { path: 'shipped', carrier: 'UPS' });
    });

    test('an event delivered before the wait starts is matched through the lookback window', async () => {
      const { engine } = await startEngine([shipment]);
      await engine.deliverEvent({
        type: 'shipment.dispatched',
        data: { orderId: 'SO-11', carrier: 'FedEx' },
      });
      const run = await engine.startRun(shipment, { orderId: 'SO-11' });
      const done = await engine.waitForRun(run.id);
      assert.deepEqual(done.output, { path: 'shipped', carrier: 'FedEx' });
      const history = (await engine.history(run.id)).find((h) => h.type === 'event.matched');
      assert.equal(history?.data?.lookback, true);
    });

    test('an event older than the lookback window is not matched', async () => {
      const { engine } = await startEngine([shipment]);
      await engine.deliverEvent({ type: 'shipment.dispatched', data: { orderId: 'SO-12', carrier: 'DPD' } });
      await sleep(80);
      const run = await engine.startRun(shipment, { orderId: 'SO-12', lookback: '20ms', timeout: '150ms' });
      const done = await engine.waitForRun(run.id);
      assert.deepEqual(done.output, { path: 'timeout' });
    });

    test('an event arriving after the timeout is not matched and the timeout path runs', async () => {
      const { engine } = await startEngine([shipment]);
      const run = await engine.startRun(shipment, { orderId: 'SO-13', timeout: '100ms' });
      const done = await engine.waitForRun(run.id);
      assert.deepEqual(done.output, { path: 'timeout' });
      const late = await engine.deliverEvent({
        type: 'shipment.dispatched',
        data: { orderId: 'SO-13', carrier: 'UPS' },
      });
      assert.deepEqual(late.woke, []);
      const [entry] = await engine.journal(run.id);
      assert.equal(entry?.status, 'completed');
      assert.equal(entry?.result, null);
      assert.ok((await engine.history(run.id)).some((h) => h.type === 'event.timeout'));
    });

    const approval = defineWorkflow({
      name: 'test.approval',
      version: 1,
      input: Type.Object({ amount: Type.Number() }),
      async run(ctx, input) {
        const decision = await ctx.task<{ comment: string }>({
          kind: 'approval',
          title: `Approve transfer of ${input.amount}`,
          role: 'store-ops',
          data: { amount: input.amount },
          form: {
            type: 'object',
            required: ['comment'],
            properties: { comment: { type: 'string', minLength: 2 } },
          },
          outcomes: ['approve', 'reject'],
          dueIn: '150ms',
          escalateTo: 'regional-manager',
        });
        return { outcome: decision.outcome, by: decision.by, comment: decision.values.comment };
      },
    });

    test('a human task is listed by role, validated on completion, and resumes the run with the decision', async () => {
      const { engine } = await startEngine([approval], {
        config: { worker: { maintenanceIntervalMs: 10_000 } },
      });
      const run = await engine.startRun(approval, { amount: 1200 });
      const [task] = await eventually(async () => {
        const l = await engine.listTasks({ role: 'store-ops', status: 'open' });
        return l.length ? l : undefined;
      });
      assert.ok(task);
      assert.equal(task.runId, run.id);
      assert.deepEqual(task.outcomes, ['approve', 'reject']);
      await assert.rejects(
        () => engine.completeTask(task.id, { outcome: 'maybe', by: 'ana' }),
        ValidationError,
      );
      await assert.rejects(
        () => engine.completeTask(task.id, { outcome: 'approve', values: { comment: 1 }, by: 'ana' }),
        (e: unknown) => e instanceof ValidationError && /\/comment/.test(e.message),
      );
      const claimed = await engine.claimTask(task.id, 'ana');
      assert.equal(claimed.status, 'claimed');
      await engine.completeTask(task.id, {
        outcome: 'approve',
        values: { comment: 'ok for weekend' },
        by: 'ana',
      });
      const done = await engine.waitForRun(run.id);
      assert.deepEqual(done.output, { outcome: 'approve', by: 'ana', comment: 'ok for weekend' });
      await assert.rejects(() =>
        engine.completeTask(task.id, { outcome: 'reject', values: { comment: 'no' }, by: 'bo' }),
      );
    });

    test('a task past its due time escalates to its escalation role, once', async () => {
      const { engine } = await startEngine([approval]);
      const run = await engine.startRun(approval, { amount: 50_000 });
      const task = await eventually(
        async () => (await engine.listTasks({ role: 'regional-manager' }))[0],
        5000,
        'escalation',
      );
      assert.equal(task.runId, run.id);
      assert.ok(task.escalatedAt);
      await sleep(200);
      const escalations = (await engine.history(run.id)).filter((h) => h.type === 'task.escalated');
      assert.equal(escalations.length, 1);
      assert.equal(escalations[0]?.data?.to, 'regional-manager');
      const delegated = await engine.delegateTask(task.id, { to: 'maria', by: 'regional-lead' });
      assert.equal(delegated.assignee, 'maria');
      assert.equal((await engine.listTasks({ assignee: 'maria' })).length, 1);
    });

    test('sleep suspends the run without holding a worker and resumes after the deadline', async () => {
      const nap = defineWorkflow({
        name: 'test.nap',
        version: 1,
        async run(ctx) {
          const before = ctx.now().getTime();
          await ctx.sleep('120ms');
          const after = ctx.now().getTime();
          return { slept: after - before >= 120 };
        },
      });
      const { engine } = await startEngine([nap]);
      const run = await engine.startRun(nap, {});
      await eventually(async () => (await engine.getRun(run.id)).status === 'waiting', 5000, 'waiting');
      await engine.idle();
      const done = await engine.waitForRun(run.id);
      assert.deepEqual(done.output, { slept: true });
      const types = (await engine.history(run.id)).map((h) => h.type);
      assert.ok(
        types.includes('timer.started') && types.includes('timer.fired') && types.includes('run.resumed'),
      );
    });

    test('child workflows run as runs of their own and return their output to the parent', async () => {
      const pick = defineWorkflow({
        name: 'test.pick',
        version: 1,
        input: Type.Object({ sku: Type.String() }),
        async run(ctx, input) {
          return ctx.step('pick', () => `picked ${input.sku}`);
        },
      });
      const failing = defineWorkflow({
        name: 'test.failing-child',
        version: 1,
        async run(ctx) {
          return ctx.step(
            'boom',
            () => {
              throw new Error('wms down');
            },
            { retry: { maxAttempts: 1 } },
          );
        },
      });
      const parent = defineWorkflow({
        name: 'test.parent',
        version: 1,
        async run(ctx) {
          const [a, b] = await Promise.all([ctx.child(pick, { sku: 'A' }), ctx.child(pick, { sku: 'B' })]);
          let failure = '';
          try {
            await ctx.child(failing, {});
          } catch (e) {
            failure = (e as Error).message;
          }
          return { a, b, failure };
        },
      });
      const { engine } = await startEngine([pick, failing, parent]);
      const run = await engine.startRun(parent, {});
      const done = await engine.waitForRun(run.id);
      assert.equal(done.status, 'completed');
      const out = done.output as { a: string; b: string; failure: string };
      assert.equal(out.a, 'picked A');
      assert.equal(out.b, 'picked B');
      assert.match(out.failure, /wms down/);
      const children = await engine.searchRuns({ parentId: run.id });
      assert.equal(children.length, 3);
    });

    test('parallel steps keep deterministic positions in call order', async () => {
      const par = defineWorkflow({
        name: 'test.parallel',
        version: 1,
        async run(ctx) {
          const delays = [30, 5, 15];
          const out = await Promise.all(
            delays.map((d, i) => ctx.step(`s${i}`, () => sleep(d).then(() => i))),
          );
          await ctx.step('after', () => 'x');
          return out;
        },
      });
      const { engine } = await startEngine([par]);
      const run = await engine.startRun(par, {});
      const done = await engine.waitForRun(run.id);
      assert.deepEqual(done.output, [0, 1, 2]);
      const names = (await engine.journal(run.id)).map((e) => `${e.position}:${e.name}`);
      assert.deepEqual(names, ['0:s0', '1:s1', '2:s2', '3:after']);
    });

    test('ctx.random and ctx.now are stable across replays; tags are searchable', async () => {
      let seen: number[] = [];
      const dice = defineWorkflow({
        name: 'test.dice',
        version: 1,
        async run(ctx) {
          const r = ctx.random();
          seen.push(r);
          ctx.tag({ storeId: 'ST-042', sku: 1001 });
          await ctx.sleep(30);
          return r;
        },
      });
      const { engine } = await startEngine([dice]);
      const run = await engine.startRun(dice, {});
      const done = await engine.waitForRun(run.id);
      assert.equal(seen.length, 2, 'the function ran twice: before and after the sleep');
      assert.equal(seen[0], seen[1]);
      assert.equal(done.output, seen[0]);
      const found = await engine.searchRuns({ tags: { storeId: 'ST-042', sku: '1001' } });
      assert.deepEqual(
        found.map((r) => r.id),
        [run.id],
      );
      seen = [];
    });
  });
}
