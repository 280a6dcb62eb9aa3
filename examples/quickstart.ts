import { Type } from '@sinclair/typebox';
import { defineWorkflow, Engine, openSqliteStore } from 'baton';

// Stand-ins for your ERP and WMS clients. Pass the idempotency key on, so a retried
// request is applied once by the system that receives it.
const erp = {
  async checkCredit(customerId: string, amount: number, idempotencyKey: string) {
    return { approved: amount <= 1000, customerId, idempotencyKey };
  },
};
const wms = {
  async release(orderId: string, idempotencyKey: string) {
    return { waveId: `WAVE-${orderId}`, idempotencyKey };
  },
};

export const releaseOrder = defineWorkflow({
  name: 'order.release-example',
  version: 1,
  input: Type.Object({
    orderId: Type.String(),
    customerId: Type.String(),
    amount: Type.Number({ minimum: 0 }),
  }),
  tags: (order) => ({ orderId: order.orderId, customerId: order.customerId }),
  async run(ctx, order) {
    const credit = await ctx.step(
      'check-credit',
      ({ idempotencyKey }) => erp.checkCredit(order.customerId, order.amount, idempotencyKey),
      { retry: { maxAttempts: 5, initialInterval: '500ms' }, timeout: '10s' },
    );
    if (!credit.approved) {
      // An exception path: a person in finance decides; the run waits without holding a worker.
      const review = await ctx.task({
        kind: 'exception',
        title: `Credit review for ${order.orderId}`,
        role: 'finance',
        data: { amount: order.amount },
        outcomes: ['release', 'reject'],
        dueIn: '4h',
        escalateTo: 'finance-lead',
      });
      if (review.outcome === 'reject') return { status: 'rejected', by: review.by };
    }
    const wave = await ctx.step('release-to-wms', ({ idempotencyKey }) =>
      wms.release(order.orderId, idempotencyKey),
    );
    await ctx.emit(
      'order.confirmed',
      { orderId: order.orderId, waveId: wave.waveId },
      { subject: order.orderId },
    );
    const shipped = await ctx.waitForEvent<{ trackingId: string }>('shipment.dispatched', {
      match: { orderId: order.orderId },
      timeout: '3d',
    });
    return shipped ? { status: 'shipped', trackingId: shipped.data.trackingId } : { status: 'late' };
  },
});

const store = openSqliteStore({ path: process.env.BATON_DB ?? '.baton/example.db' });
const engine = new Engine({ store, workflows: [releaseOrder] }).start();

const run = await engine.startRun(releaseOrder, { orderId: 'SO-42', customerId: 'C-7', amount: 2500 });

// Someone in finance works the task inbox (here in code; usually `baton tasks complete`).
let [task] = await engine.listTasks({ runId: run.id });
while (!task) {
  await new Promise((r) => setTimeout(r, 50));
  [task] = await engine.listTasks({ runId: run.id });
}
await engine.completeTask(task.id, { outcome: 'release', by: 'frank.finance' });

// The warehouse reports the shipment (usually an inbound event from the WMS).
await engine.deliverEvent({ type: 'shipment.dispatched', data: { orderId: 'SO-42', trackingId: '1Z999' } });

const done = await engine.waitForRun(run.id);
console.log(done.status, done.output);
await engine.stop();
await store.close();
