import type { Engine, EngineEvent } from '../engine/index.js';
import { isTerminal, type RunRecord } from '../store/index.js';
import { createDemoSystems, type EffectLog } from './demo-systems.js';
import { referenceWorkflows } from './workflows.js';

export interface DemoOptions {
  engine: Engine;
  /** Where progress lines go. */
  write: (line: string) => void;
  /** Approve every task automatically, including the one left for a person (for scripted runs). */
  approveAll?: boolean;
  /** Milliseconds the simulated people and warehouse take to react. */
  reactionMs?: number;
}

export interface DemoSummary {
  runs: RunRecord[];
  byStatus: Record<string, number>;
  manualTouches: number;
  waitingForYou: string[];
  duplicateEffects: number;
  /** The simulated colleagues and warehouse keep answering until this is called. */
  stop: () => void;
}

const time = () => new Date().toISOString().slice(11, 23);

/** Who answers which task in the demo, and how. Store operations is left for a person. */
const operators: Record<string, { who: string; outcome: string; values?: Record<string, unknown> }> = {
  pricing: { who: 'paula.pricing', outcome: 'accept-erp-price' },
  finance: { who: 'frank.finance', outcome: 'release' },
  fulfilment: { who: 'willem.warehouse', outcome: 'backorder' },
  'customer-service': { who: 'carla.service', outcome: 'authorise' },
};

/**
 * Runs a small retail day against the demo estate: web and store orders (one with an outdated
 * price, one over its credit limit, one short of stock), returns and store transfers. Simulated
 * colleagues answer exception tasks and the warehouse ships; progress is printed as it happens.
 * Resolves when every run has finished or waits only for a person.
 */
export async function runDemo(opts: DemoOptions): Promise<DemoSummary> {
  const { engine, write } = opts;
  const reaction = opts.reactionMs ?? 400;
  const systems = createDemoSystems({ latencyMs: 5 });
  const wf = referenceWorkflows(systems);
  for (const def of [wf.orderRelease, wf.returnRefund, wf.storeTransfer]) {
    if (!engine.workflows().some((d) => d.key === def.key)) engine.register(def);
  }
  const labels = new Map<string, string>();
  let manualTouches = 0;
  const timers = new Set<NodeJS.Timeout>();
  const later = (fn: () => Promise<unknown>) => {
    const t = setTimeout(
      () => {
        timers.delete(t);
        fn().catch((e) =>
          write(`${time()}  demo actor failed: ${e instanceof Error ? e.message : String(e)}`),
        );
      },
      reaction * (0.5 + Math.random()),
    );
    timers.add(t);
  };

  const say = (e: EngineEvent, text: string) =>
    write(`${time()}  ${(labels.get(e.runId) ?? e.runId).padEnd(30)} ${text}`);
  const off = engine.events.on('*', (e) => {
    const d = e.data ?? {};
    switch (e.type) {
      case 'run.started':
        return say(e, 'started');
      case 'step.completed':
        return say(e, `✓ ${d.name} (${d.durationMs} ms)`);
      case 'step.retrying':
        return say(e, `↻ ${d.name} attempt ${d.attempt} failed, retrying in ${d.delayMs} ms: ${d.error}`);
      case 'task.created':
        say(e, `⚑ task for ${d.role}: waiting for a decision`);
        return onTask(String(d.taskId));
      case 'task.completed':
        manualTouches++;
        return say(e, `✔ task decided by ${d.by}: ${d.outcome}`);
      case 'event.emitted':
        say(e, `→ emitted ${d.type}`);
        return onEmitted(e.runId, String(d.type));
      case 'event.matched':
        return say(e, `← received ${d.type}`);
      case 'run.completed':
      case 'run.failed':
      case 'run.compensated':
        return say(e, `■ ${e.type.slice(4)}`);
    }
  });

  function onTask(taskId: string) {
    later(async () => {
      const task = await engine.getTask(taskId);
      const op = operators[task.role];
      if (!op && !opts.approveAll) return;
      await engine.completeTask(taskId, {
        outcome: op?.outcome ?? task.outcomes[0]!,
        values: op?.values ?? {},
        by: op?.who ?? 'demo.approver',
      });
    });
  }

  function onEmitted(runId: string, type: string) {
    const reply: Record<string, (run: RunRecord) => { type: string; data: Record<string, unknown> }> = {
      'order.confirmed': (r) => ({
        type: 'shipment.dispatched',
        data: { orderId: r.tags.orderId, trackingId: `1Z${r.tags.orderId}` },
      }),
      'return.authorized': (r) => ({
        type: 'return.received',
        data: { returnId: r.tags.returnId, condition: 'opened' },
      }),
      'transfer.shipped': (r) => {
        const input = r.input as { transferId: string; qty: number };
        return { type: 'transfer.received', data: { transferId: input.transferId, receivedQty: input.qty } };
      },
    };
    const make = reply[type];
    if (!make) return;
    later(async () => {
      const ev = make(await engine.getRun(runId));
      await engine.deliverEvent({ ...ev, source: 'demo/wms' });
    });
  }

  const line = (sku: string, qty: number, unitPrice: number) => ({ sku, qty, unitPrice });
  const started: RunRecord[] = [];
  const start = async (
    def: Parameters<Engine['startRun']>[0],
    input: unknown,
    label: string,
    key: string,
  ) => {
    const run = await engine.startRun(def, input, { idempotencyKey: `demo:${key}` });
    labels.set(run.id, label);
    started.push(run);
  };
  // document numbers unique to this demo day, so a second start on the same database starts anew
  const day = String(Math.floor(Date.now() / 1000) % 100_000).padStart(5, '0');
  const no = (prefix: string, n: number) => `${prefix}-${day}${n}`;
  write(`${time()}  starting a retail day: 6 orders, 2 returns, 2 store transfers`);
  const orders = [
    { orderId: no('SO', 1), customerId: 'C-100', channel: 'web', lines: [line('SKU-TSHIRT-M', 2, 19.9)] },
    { orderId: no('SO', 2), customerId: 'C-101', channel: 'pos', lines: [line('SKU-JEANS-32', 1, 59)] },
    { orderId: no('SO', 3), customerId: 'C-102', channel: 'web', lines: [line('SKU-JACKET-L', 1, 129)] },
    {
      orderId: no('SO', 5),
      customerId: 'B2B-7',
      channel: 'b2b',
      priority: 'express',
      lines: [line('SKU-SOCKS', 900, 6.5)],
    },
    {
      orderId: no('SO', 6),
      customerId: 'C-104',
      channel: 'web',
      priority: 'express',
      lines: [line('SKU-CAP', 1, 15)],
    },
    { orderId: no('SO', 7), customerId: 'C-105', channel: 'pos', lines: [line('SKU-SCARF', 3, 12)] },
  ];
  for (const o of orders) await start(wf.orderRelease, o, `order.release  ${o.orderId}`, o.orderId);
  for (const r of [
    {
      returnId: no('RT', 1),
      orderId: 'SO-0950',
      customerId: 'C-100',
      sku: 'SKU-CAP',
      amount: 15,
      reason: 'wrong colour',
    },
    {
      returnId: no('RT', 2),
      orderId: 'SO-0951',
      customerId: 'C-109',
      sku: 'SKU-COAT',
      amount: 240,
      reason: 'damaged',
    },
  ]) {
    await start(wf.returnRefund, r, `return.refund  ${r.returnId}`, r.returnId);
  }
  for (const t of [
    { transferId: no('TR', 1), sku: 'SKU-TSHIRT-M', qty: 12, from: 'ST-014', to: 'ST-022' },
    { transferId: no('TR', 2), sku: 'SKU-JEANS-32', qty: 80, from: 'DC-NORTH', to: 'ST-007' },
  ]) {
    await start(wf.storeTransfer, t, `transfer.store ${t.transferId}`, t.transferId);
  }

  // finished, or waiting only on a task nobody in the demo answers
  const waitingForYou: string[] = [];
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const runs = await Promise.all(started.map((r) => engine.getRun(r.id)));
    if (timers.size > 0) continue;
    const open = runs.filter((r) => !isTerminal(r.status));
    const tasks = await engine.listTasks({ status: ['open', 'claimed'] });
    const forPeople = open.filter((r) => tasks.some((t) => t.runId === r.id && !operators[t.role]));
    if (open.length === forPeople.length && (opts.approveAll ? open.length === 0 : true)) {
      for (const t of tasks) if (!operators[t.role]) waitingForYou.push(t.id);
      break;
    }
  }
  const runs = await Promise.all(started.map((r) => engine.getRun(r.id)));
  const byStatus: Record<string, number> = {};
  for (const r of runs) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  return {
    runs,
    byStatus,
    manualTouches,
    waitingForYou,
    duplicateEffects: (systems.log as EffectLog).duplicates,
    stop: () => {
      off();
      for (const t of timers) clearTimeout(t);
    },
  };
}
