/**
 * Records the journals of the reference workflows, one per path through them, as fixtures that CI
 * replays against the current code (test/engine/replay.test.ts). Re-record only when a workflow
 * change is meant to break in-flight runs, and then with a new workflow version.
 *
 *   npm run fixtures:record
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, type RecordedRun } from '../src/engine/index.js';
import { createDemoSystems, referenceWorkflows } from '../src/retail/index.js';
import { openSqliteStore, type RunRecord } from '../src/store/index.js';

const out = join(import.meta.dirname, '..', 'test', 'fixtures', 'journals');
const dir = mkdtempSync(join(tmpdir(), 'baton-record-'));
const store = openSqliteStore({ path: join(dir, 'record.db'), durability: 'normal' });
const wf = referenceWorkflows(createDemoSystems({ latencyMs: 1 }));
const engine = new Engine({
  store,
  workflows: Object.values(wf),
  config: { worker: { pollIntervalMs: 10 } },
}).start();

interface Scenario {
  name: string;
  workflow: keyof typeof wf;
  input: Record<string, unknown>;
  /** Outcome for each task, in the order the tasks appear. */
  decisions?: string[];
  /** Events delivered whenever the run waits for one of these types. */
  events?: Record<string, Record<string, unknown>>;
  /** Stop recording while the run still waits (an in-flight fixture). */
  leaveWaiting?: boolean;
}

const line = (sku: string, qty: number, unitPrice: number) => ({ sku, qty, unitPrice });
const scenarios: Scenario[] = [
  {
    name: 'order-release-happy',
    workflow: 'orderRelease',
    input: { orderId: 'SO-5001', customerId: 'C-1', channel: 'web', lines: [line('SKU-A', 2, 10)] },
    events: { 'shipment.dispatched': { orderId: 'SO-5001', trackingId: '1Z5001' } },
  },
  {
    name: 'order-release-price-mismatch',
    workflow: 'orderRelease',
    input: { orderId: 'SO-5007', customerId: 'C-2', channel: 'pos', lines: [line('SKU-B', 1, 25)] },
    decisions: ['accept-erp-price'],
    events: { 'shipment.dispatched': { orderId: 'SO-5007', trackingId: '1Z5007' } },
  },
  {
    name: 'order-release-credit-rejected',
    workflow: 'orderRelease',
    input: { orderId: 'SO-5008', customerId: 'B2B-9', channel: 'b2b', lines: [line('SKU-C', 1000, 9)] },
    decisions: ['reject'],
  },
  {
    name: 'order-release-short-stock-compensated',
    workflow: 'orderRelease',
    input: { orderId: 'SO-5003', customerId: 'C-3', channel: 'web', lines: [line('SKU-D', 1, 99)] },
    decisions: ['cancel-order'],
  },
  {
    name: 'order-release-waiting-for-shipment',
    workflow: 'orderRelease',
    input: {
      orderId: 'SO-5002',
      customerId: 'C-4',
      channel: 'web',
      priority: 'express',
      lines: [line('SKU-E', 1, 5)],
    },
    leaveWaiting: true,
  },
  {
    name: 'return-refund-authorised',
    workflow: 'returnRefund',
    input: {
      returnId: 'RT-6002',
      orderId: 'SO-4000',
      customerId: 'C-5',
      sku: 'SKU-F',
      amount: 240,
      reason: 'damaged',
    },
    decisions: ['authorise'],
    events: { 'return.received': { returnId: 'RT-6002', condition: 'damaged' } },
  },
  {
    name: 'transfer-store-approved',
    workflow: 'storeTransfer',
    input: { transferId: 'TR-7002', sku: 'SKU-G', qty: 80, from: 'DC-1', to: 'ST-9' },
    decisions: ['approve'],
    events: { 'transfer.received': { transferId: 'TR-7002', receivedQty: 78 } },
  },
];

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function record(s: Scenario): Promise<RecordedRun> {
  const run = await engine.startRun(wf[s.workflow], s.input);
  const decisions = [...(s.decisions ?? [])];
  const delivered = new Set<string>();
  let current: RunRecord = run;
  for (let i = 0; i < 500; i++) {
    current = await engine.getRun(run.id);
    if (['completed', 'failed', 'compensated', 'cancelled'].includes(current.status)) break;
    for (const t of await engine.listTasks({ runId: run.id, status: 'open' })) {
      const outcome = decisions.shift();
      if (!outcome) throw new Error(`${s.name}: no decision left for task "${t.title}"`);
      await engine.completeTask(t.id, { outcome, by: 'fixture.recorder' });
    }
    const journal = await engine.journal(run.id);
    for (const e of journal) {
      if (e.kind === 'event' && e.status === 'pending' && s.events?.[e.name] && !delivered.has(e.name)) {
        delivered.add(e.name);
        await engine.deliverEvent({ type: e.name, data: s.events[e.name] });
      }
    }
    if (
      s.leaveWaiting &&
      current.status === 'waiting' &&
      journal.some((e) => e.kind === 'event' && e.status === 'pending')
    )
      break;
    await pause(10);
  }
  const rec: RecordedRun = {
    runId: current.id,
    workflow: current.workflow,
    version: current.version,
    input: current.input,
    createdAt: current.createdAt,
    startedAt: current.startedAt,
    status: current.status,
    journal: await engine.journal(run.id),
  };
  if (current.output !== undefined) rec.output = current.output;
  if (current.error) rec.error = { ...current.error, stack: undefined } as RecordedRun['error'];
  return rec;
}

for (const s of scenarios) {
  const rec = await record(s);
  for (const e of rec.journal) if (e.error) delete e.error.stack;
  writeFileSync(join(out, `${s.name}.json`), `${JSON.stringify(rec, null, 2)}\n`);
  console.log(`${s.name}: ${rec.status}, ${rec.journal.length} journal entries`);
}
await engine.stop();
await store.close();
rmSync(dir, { recursive: true, force: true });
