import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { ApplicationFailure, ValidationError } from '../../src/core/index.js';
import { type AnyWorkflow, defineWorkflow } from '../../src/engine/index.js';
import { engineBackends, startEngineOn } from '../helpers.js';

for (const backend of await engineBackends()) {
  describe(`engine on ${backend.name}`, { skip: backend.skip }, () => {
    const startEngine = (w: AnyWorkflow[], o: Parameters<typeof startEngineOn>[2] = {}) =>
      startEngineOn(backend, w, o);

    const calls: string[] = [];
    const order = defineWorkflow({
      name: 'test.order',
      version: 1,
      input: Type.Object({ orderId: Type.String(), qty: Type.Integer({ minimum: 1 }) }),
      tags: (i) => ({ orderId: i.orderId }),
      async run(ctx, input) {
        const a = await ctx.step('validate', ({ idempotencyKey }) => {
          calls.push(idempotencyKey);
          return { ok: true, qty: input.qty };
        });
        const b = await ctx.step('reserve', () => ({ reserved: a.qty }));
        await ctx.emit('order.confirmed', { orderId: input.orderId }, { subject: input.orderId });
        return { reserved: b.reserved };
      },
    });

    test('a workflow runs its steps in order and completes with its output', async () => {
      const { engine } = await startEngine([order]);
      const run = await engine.startRun(order, { orderId: 'SO-1', qty: 3 });
      const done = await engine.waitForRun(run.id);
      assert.equal(done.status, 'completed');
      assert.deepEqual(done.output, { reserved: 3 });
      assert.equal(done.tags.orderId, 'SO-1');
      const journal = await engine.journal(run.id);
      assert.deepEqual(
        journal.map((e) => [e.position, e.kind, e.name, e.status]),
        [
          [0, 'step', 'validate', 'completed'],
          [1, 'step', 'reserve', 'completed'],
          [2, 'emit', 'order.confirmed', 'completed'],
        ],
      );
      assert.deepEqual(calls, [`${run.id}:0`]);
      const outbox = await engine.store.readOutbox({});
      assert.equal(outbox.length, 1);
      assert.equal(outbox[0]?.type, 'order.confirmed');
      assert.equal(outbox[0]?.subject, 'SO-1');
      const history = (await engine.history(run.id)).map((h) => h.type);
      assert.deepEqual(history, [
        'run.created',
        'run.started',
        'step.started',
        'step.completed',
        'step.started',
        'step.completed',
        'event.emitted',
        'run.completed',
      ]);
    });

    test('start input is validated against the workflow schema with the failing path', async () => {
      const { engine } = await startEngine([order]);
      await assert.rejects(
        () => engine.startRun(order, { orderId: 'SO-2', qty: 0 }),
        (err: unknown) => err instanceof ValidationError && /\/qty/.test(err.message),
      );
    });

    test('a start with the same idempotency key returns the same run', async () => {
      const { engine } = await startEngine([order]);
      const a = await engine.startRun(order, { orderId: 'SO-3', qty: 1 }, { idempotencyKey: 'web:SO-3' });
      const b = await engine.startRun(order, { orderId: 'SO-3', qty: 1 }, { idempotencyKey: 'web:SO-3' });
      assert.equal(a.id, b.id);
      assert.equal((await engine.searchRuns({ workflow: 'test.order' })).length, 1);
    });

    test('retryable failures back off and retry; non-retryable failures fail the run at once', async () => {
      let attempts = 0;
      const flaky = defineWorkflow({
        name: 'test.flaky',
        version: 1,
        async run(ctx) {
          return ctx.step(
            'call-erp',
            ({ attempt }) => {
              attempts++;
              if (attempt < 3) throw new Error(`erp unavailable (attempt ${attempt})`);
              return 'ok';
            },
            { retry: { maxAttempts: 5, initialInterval: 10, jitter: 0 } },
          );
        },
      });
      const fatal = defineWorkflow({
        name: 'test.fatal',
        version: 1,
        async run(ctx) {
          return ctx.step('credit', () => {
            throw ApplicationFailure.nonRetryable('credit blocked', 'CreditBlocked');
          });
        },
      });
      const { engine } = await startEngine([flaky, fatal]);
      const r1 = await engine.startRun(flaky, {});
      const done = await engine.waitForRun(r1.id);
      assert.equal(done.status, 'completed');
      assert.equal(done.output, 'ok');
      assert.equal(attempts, 3);
      const hist = (await engine.history(r1.id)).filter((h) => h.type === 'step.retrying');
      assert.equal(hist.length, 2);

      const r2 = await engine.startRun(fatal, {});
      const failed = await engine.waitForRun(r2.id);
      assert.equal(failed.status, 'failed');
      assert.match(failed.error?.message ?? '', /credit blocked/);
      const [entry] = await engine.journal(r2.id);
      assert.equal(entry?.status, 'failed');
      assert.equal(entry?.attempts, 1);
    });

    test('a step attempt over its timeout fails and is retried until attempts run out', async () => {
      const slow = defineWorkflow({
        name: 'test.slow',
        version: 1,
        async run(ctx) {
          return ctx.step(
            'wms',
            ({ signal }) =>
              new Promise((r) => {
                const t = setTimeout(r, 5_000);
                signal.addEventListener('abort', () => clearTimeout(t));
              }),
            { timeout: 20, retry: { maxAttempts: 2, initialInterval: 5 } },
          );
        },
      });
      const { engine } = await startEngine([slow]);
      const run = await engine.startRun(slow, {});
      const done = await engine.waitForRun(run.id);
      assert.equal(done.status, 'failed');
      assert.match(done.error?.message ?? '', /timed out after 20 ms/);
      const [entry] = await engine.journal(run.id);
      assert.equal(entry?.attempts, 2);
    });
  });
}
