/**
 * Records journals of the five flows run against the simulated estate, one per path worth keeping,
 * as fixtures that test/retail/flow-replay.test.ts replays against the current code: the order,
 * transfer and returns flows here in real time, the promotion and replenishment flows on a manual
 * clock (record-supply-journals.ts). Re-record only when a change is meant to break in-flight
 * runs, with a new version. Names given select the fixtures whose names start with one of them.
 *
 *   npm run fixtures:record
 *   node --import tsx scripts/record-flow-journals.ts promotion replenishment
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bus } from '../src/bus/index.js';
import { Connectors } from '../src/connectors/index.js';
import { type AnyWorkflow, Engine, type RecordedRun } from '../src/engine/index.js';
import {
  fileRules,
  locationsFrom,
  orderFulfilmentFlow,
  portsFromConnectors,
  returnsFlow,
  transferFlow,
  triggerOrderFulfilment,
  triggerReturns,
  triggerTransfer,
} from '../src/retail/index.js';
import { SYSTEM_NAMES, startSimulator } from '../src/sim/index.js';
import { openSqliteStore } from '../src/store/index.js';
import { recordSupply, supplyScenarios } from './record-supply-journals.js';

const only = process.argv.slice(2);
const wanted = (name: string) => only.length === 0 || only.some((prefix) => name.startsWith(prefix));

const out = join(import.meta.dirname, '..', 'test', 'fixtures', 'journals', 'flows');
mkdirSync(out, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'baton-record-flows-'));
const sim = await startSimulator({ seed: 7, port: 0, estate: { stores: 8, skus: 80, customers: 60 } });
const store = openSqliteStore({ path: join(dir, 'record.db'), durability: 'normal' });
const settings = Object.fromEntries(SYSTEM_NAMES.map((s) => [s, { baseUrl: sim.url(s), retryDelayMs: 10 }]));
const connectors = new Connectors({ store, settings });
const ports = portsFromConnectors(connectors);
const rules = await fileRules();
const retry = { maxAttempts: 3, initialInterval: '50ms' };
const order = orderFulfilmentFlow({ ports, rules, retry });
const transfer = transferFlow({ ports, rules, retry, locations: locationsFrom(sim.estate) });
const returns = returnsFlow({ ports, rules, retry });
const engine = new Engine({
  store,
  workflows: [order, transfer, returns] as AnyWorkflow[],
  config: { worker: { pollIntervalMs: 10 } },
}).start();
const bus = new Bus({ engine });
triggerOrderFulfilment(bus, order);
triggerTransfer(bus, transfer);
triggerReturns(bus, returns);
await bus.start();

// estate data that fits each path, found the way the tests find it
const promoted = new Set(sim.estate.promotions.flatMap((p) => p.skus));
const skus = sim.estate.skus.filter((s) => !promoted.has(s.sku) && s.prices.web < 200);
const at = (sku: string) => sim.state.stock.available(sku, 'DC-1');
const ample = skus.filter((s) => at(s.sku) >= 30);
const scarce = skus.find((s) => at(s.sku) >= 2 && at(s.sku) <= 40 && !ample.slice(0, 3).includes(s))!;
const customer = sim.estate.customers.find(
  (c) => c.kind === 'consumer' && c.creditLimit >= 1500 && c.exposure / c.creditLimit < 0.3,
)!;
const shop = sim.estate.stores.find((s) => s.region === 'north' && s.dcId === 'DC-1')!;
const eur = (n: number) => ({ amount: n.toFixed(2), currency: 'EUR' });
const now = () => new Date().toISOString();

function orderEvent(orderId: string, sku: { sku: string; prices: { web: number } }, qty: number) {
  const total = Math.round(qty * sku.prices.web * 100) / 100;
  return {
    orderId,
    channel: 'web',
    sourceDocument: { system: 'shopify', id: `gid://shopify/Order/${orderId}` },
    placedAt: now(),
    customer: { id: customer.id, kind: 'consumer' },
    lines: [
      {
        lineId: '1',
        sku: sku.sku,
        quantity: { value: qty, uom: 'EA' },
        unitPrice: eur(sku.prices.web),
        lineTotal: eur(total),
      },
    ],
    totals: { subtotal: eur(total), discount: eur(0), tax: eur(0), shipping: eur(0), grandTotal: eur(total) },
    fulfilment: { method: 'ship', locationId: 'DC-1' },
    payment: { status: 'authorized', method: 'card' },
  };
}

interface Scenario {
  name: string;
  type: string;
  data: unknown;
  /** Outcomes of the run's tasks, in the order they appear. */
  decisions?: string[];
  /** Events delivered when the run waits for their type. */
  events?: Record<string, unknown>;
}

const sku = (i: number) => ample[i]!;
const scenarios: Scenario[] = [
  { name: 'order-fulfilment-confirmed', type: 'order.created', data: orderEvent('SO-900001', sku(0), 2) },
  {
    name: 'order-fulfilment-short-stock-split',
    type: 'order.created',
    data: orderEvent('SO-900002', scarce, at(scarce.sku) + 3),
    decisions: ['split'],
  },
  {
    name: 'transfer-short-receipt',
    type: 'transfer.requested',
    data: {
      transferId: 'TR-9000-0001',
      fromLocationId: 'DC-1',
      toLocationId: shop.id,
      reason: 'store-request',
      neededBy: now().slice(0, 10),
      lines: [{ sku: sku(1).sku, quantity: { value: 10, uom: 'EA' } }],
      estimatedValue: eur(150),
      requestedBy: 'fixture.recorder',
      requestedAt: now(),
    },
    decisions: ['book-at-source'],
    events: {
      'transfer.arrived': {
        transferId: 'TR-9000-0001',
        receivedBy: 'fixture',
        lines: [{ sku: sku(1).sku, quantityReceived: 8 }],
      },
    },
  },
  {
    name: 'returns-refunded',
    type: 'return.requested',
    data: {
      returnId: 'RMA-9000-0001',
      orderId: 'SO-900001',
      channel: 'web',
      customerId: customer.id,
      purchasedAt: new Date(Date.now() - 5 * 86_400_000).toISOString(),
      method: 'mail',
      returnLocationId: 'DC-1',
      currency: 'EUR',
      lines: [
        {
          sku: sku(2).sku,
          quantity: 1,
          reason: 'size-fit',
          condition: 'unopened',
          category: 'apparel',
          unitPrice: 25,
        },
      ],
    },
    events: {
      'return.arrived': {
        returnId: 'RMA-9000-0001',
        inspectedBy: 'fixture',
        lines: [{ sku: sku(2).sku, quantity: 1 }],
      },
    },
  },
];

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function record(s: Scenario, n: number): Promise<RecordedRun> {
  const routed = await bus.receive(
    { id: `fixture-${n}`, type: s.type, data: s.data, time: Date.now() },
    'fixture',
  );
  const runId = routed.runs[0]!;
  const decisions = [...(s.decisions ?? [])];
  const delivered = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const run = await engine.getRun(runId);
    if (['completed', 'failed', 'compensated', 'cancelled'].includes(run.status)) break;
    for (const t of await engine.listTasks({ runId, status: 'open' })) {
      const outcome = decisions.shift();
      if (!outcome) throw new Error(`${s.name}: no decision left for task "${t.title}"`);
      await engine.completeTask(t.id, { outcome, by: 'fixture.recorder' });
    }
    for (const e of await engine.journal(runId))
      if (e.kind === 'event' && e.status === 'pending' && s.events?.[e.name] && !delivered.has(e.name)) {
        delivered.add(e.name);
        await bus.receive(
          { id: `fixture-${n}-${e.name}`, type: e.name, data: s.events[e.name], time: Date.now() },
          'fixture',
        );
      }
    await pause(10);
  }
  const run = await engine.getRun(runId);
  const rec: RecordedRun = {
    runId,
    workflow: run.workflow,
    version: run.version,
    input: run.input,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    status: run.status,
    journal: await engine.journal(runId),
  };
  if (run.output !== undefined) rec.output = run.output;
  if (run.error) rec.error = { ...run.error, stack: undefined } as RecordedRun['error'];
  for (const e of rec.journal) if (e.error) delete e.error.stack;
  return rec;
}

for (const [n, s] of scenarios.entries()) {
  if (!wanted(s.name)) continue;
  const rec = await record(s, n);
  writeFileSync(join(out, `${s.name}.json`), `${JSON.stringify(rec, null, 2)}\n`);
  console.log(`${s.name}: ${rec.status}, ${rec.journal.length} journal entries`);
}
await bus.stop();
await engine.stop();
await connectors.close();
await store.close();
await sim.close();
rmSync(dir, { recursive: true, force: true });

for (const s of supplyScenarios) {
  if (!wanted(s.name)) continue;
  const rec = await recordSupply(s);
  writeFileSync(join(out, `${s.name}.json`), `${JSON.stringify(rec, null, 2)}\n`);
  console.log(`${s.name}: ${rec.status}, ${rec.journal.length} journal entries`);
}
