/**
 * Records journals of the promotion launch and the replenishment flow, the part of
 * record-flow-journals.ts that needs a manual clock: supplier answers take days and the price
 * read-back hours, so each scenario runs on a fresh simulated estate (seed 1, the full estate that
 * `buildEstate({ seed: 1 })` rebuilds for the replay) whose clock moves only to the next due timer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bus } from '../src/bus/index.js';
import { Connectors, erpConnector } from '../src/connectors/index.js';
import { ManualClock } from '../src/core/index.js';
import { type AnyWorkflow, Engine, type RecordedRun } from '../src/engine/index.js';
import {
  fileRules,
  masterDataFrom,
  poNumberFor,
  promotionLaunchFlow,
  replenishmentFlow,
  triggerPromotionLaunch,
  triggerReplenishment,
} from '../src/retail/index.js';
import { type Simulator, SYSTEM_NAMES, startSimulator } from '../src/sim/index.js';
import { planOrder, type SupplierPlan } from '../src/sim/supplier-docs.js';
import { isTerminal, openSqliteStore, type RunRecord } from '../src/store/index.js';

const START = Date.parse('2026-03-02T08:00:00Z');
const DAY = 86_400_000;
const DETECTED = '2026-03-02T07:55:00Z';

export interface SupplyScenario {
  name: string;
  /** Prepares the estate (stock moves) and returns the event that starts the run. */
  start(sim: Simulator, connectors: Connectors): Promise<{ type: string; data: unknown }>;
  /** Outcomes of the run's tasks by role. */
  decisions?: Record<string, string>;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An approved promotion from one of the estate's campaigns, as merchandising sends it. */
function approved(sim: Simulator, promoId: string, week: string, endsAt: string) {
  const p = sim.estate.promotions.find((x) => x.id === promoId)!;
  const eur = (n: number) => ({ amount: n.toFixed(2), currency: 'EUR' });
  return {
    promotionId: `${p.id}-${week}`,
    name: p.name,
    mechanic: 'percent-off',
    discountPercent: String(p.discountPct),
    startsAt: '2026-03-07T00:00:00Z',
    endsAt,
    regions: p.regions.map((r) => `DE-${r.toUpperCase()}`),
    channels: ['pos', 'web'],
    items: p.skus.map((sku) => {
      const item = sim.index.skus.get(sku)!;
      return {
        sku,
        gtin: item.gtin,
        regularPrice: eur(item.prices.store),
        promoPrice: eur(Math.round(item.prices.store * (100 - p.discountPct)) / 100),
      };
    }),
    approvedBy: 'fixture.recorder',
    approvedAt: '2026-03-02T07:30:00Z',
    sourceDocument: { system: 'odoo', id: p.id, documentType: 'promotion-program' },
  };
}

/** A breach at DC-1 of a SKU whose supplier answers the first PO the way `want` asks. */
function breachWhere(sim: Simulator, want: (plan: SupplierPlan) => boolean) {
  for (const item of sim.estate.skus) {
    const supplier = sim.index.suppliers.get(item.supplierId)!;
    const poNumber = poNumberFor({ locationId: 'DC-1', sku: item.sku, detectedAt: DETECTED }, 0);
    const po = {
      supplierId: supplier.id,
      poNumber,
      orderDate: '2026-03-02',
      shipTo: 'DC-1',
      lines: [{ line: 10, sku: item.sku, qty: 100, unitPrice: item.cost }],
    };
    if (want(planOrder(sim.index, '1', supplier, po, START, DAY)))
      return {
        locationId: 'DC-1',
        sku: item.sku,
        threshold: 'reorder-point',
        onHand: { value: 0, uom: 'EA' },
        available: { value: 0, uom: 'EA' },
        thresholdQuantity: { value: 50, uom: 'EA' },
        detectedAt: DETECTED,
      };
  }
  throw new Error('no SKU behaves like that under seed 1');
}

const onTime = (p: SupplierPlan) => !p.late && p.lines[0]!.shipped === p.lines[0]!.confirmed;

export const supplyScenarios: SupplyScenario[] = [
  {
    name: 'promotion-launched',
    start: async (sim) => ({
      type: 'promotion.approved',
      data: approved(sim, 'PROMO-08', 'W10', '2026-03-08T23:59:59Z'),
    }),
  },
  {
    // two weeks of demand with DC-1 emptied: supply chain asks the stores to transfer stock
    name: 'promotion-shortfall-store-transfers',
    start: async (sim, connectors) => {
      const promo = approved(sim, 'PROMO-08', 'W10-W11', '2026-03-20T23:59:59Z');
      const erp = connectors.client(erpConnector);
      const lines = [];
      for (const { sku } of promo.items)
        lines.push({ sku, qty: (await erp.call('getStockAt', { sku, location: 'DC-1' })).available });
      await erp.call('postGoodsMovement', {
        movementType: 'issue',
        location: 'DC-1',
        lines,
        reason: 'fixture: damaged in a flood',
      });
      return { type: 'promotion.approved', data: promo };
    },
    decisions: { 'supply-chain': 'store-transfers' },
  },
  {
    name: 'replenishment-received',
    start: async (sim) => ({
      type: 'inventory.threshold_breached',
      data: breachWhere(sim, (p) => onTime(p) && p.lines[0]!.status === 'IA'),
    }),
  },
  {
    name: 'replenishment-ack-changed',
    start: async (sim) => ({
      type: 'inventory.threshold_breached',
      data: breachWhere(sim, (p) => onTime(p) && p.lines[0]!.status === 'IQ'),
    }),
  },
];

/** Runs one scenario on its own estate and engine and returns the run as a recorded journal. */
export async function recordSupply(s: SupplyScenario): Promise<RecordedRun> {
  const clock = new ManualClock(START);
  const sim = await startSimulator({
    seed: 1,
    port: 0,
    clock,
    timing: { dayMs: DAY, priceApplyMs: 5 * 60_000, priceLagMs: 40 * 60_000 },
  });
  const dir = mkdtempSync(join(tmpdir(), 'baton-record-supply-'));
  const store = openSqliteStore({ path: join(dir, 'record.db'), durability: 'normal' });
  // the breaker would wait in real time while the manual clock races ahead
  const settings = Object.fromEntries(
    SYSTEM_NAMES.map((n) => [n, { baseUrl: sim.url(n), retryDelayMs: 10, breakerThreshold: 10_000 }]),
  );
  const connectors = new Connectors({ store, clock, settings });
  const masterData = masterDataFrom(sim.estate);
  const rules = await fileRules();
  const replenishment = replenishmentFlow({ connectors, masterData, rules });
  const promotion = promotionLaunchFlow({ connectors, masterData, rules, replenishment });
  const engine = new Engine({
    store,
    clock,
    workflows: [promotion, replenishment] as AnyWorkflow[],
    config: { worker: { pollIntervalMs: 10, maintenanceIntervalMs: 50 } },
  }).start();
  const bus = new Bus({ engine, relay: { pollIntervalMs: 20 } });
  triggerPromotionLaunch(bus, promotion);
  triggerReplenishment(bus, replenishment);
  await bus.start();
  try {
    const { type, data } = await s.start(sim, connectors);
    const routed = await bus.receive({ id: `fixture-${s.name}`, type, time: clock.now(), data });
    if (routed.quarantined) throw new Error(`${s.name}: quarantined: ${routed.quarantined}`);
    const runId = routed.runs[0]!;
    const run = await drive(engine, bus, clock, runId, s);
    const rec: RecordedRun = {
      runId,
      workflow: run.workflow,
      version: run.version,
      input: run.input,
      createdAt: run.createdAt,
      status: run.status,
      journal: await engine.journal(runId),
    };
    if (run.startedAt !== undefined) rec.startedAt = run.startedAt;
    if (run.output !== undefined) rec.output = run.output;
    if (run.error) rec.error = { ...run.error, stack: undefined } as RecordedRun['error'];
    for (const e of rec.journal) if (e.error) delete e.error.stack;
    return rec;
  } finally {
    await bus.stop(1000);
    await engine.stop(1000);
    await connectors.close();
    await store.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Answers the scenario's tasks and, when every run waits on time, moves the clock to the next timer. */
async function drive(
  engine: Engine,
  bus: Bus,
  clock: ManualClock,
  runId: string,
  s: SupplyScenario,
): Promise<RunRecord> {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    const run = await engine.getRun(runId);
    if (isTerminal(run.status)) return run;
    const live = await engine.searchRuns({ status: ['pending', 'running', 'waiting', 'compensating'] });
    const busy = (r: RunRecord) =>
      r.status === 'running' ||
      r.status === 'pending' ||
      (r.status === 'compensating' && (r.nextAt ?? 0) <= clock.now());
    if (live.some(busy) || (await bus.lag()) > 0) {
      await pause(10);
      continue;
    }
    const open = await engine.listTasks({ status: 'open' });
    for (const t of open) {
      const outcome = s.decisions?.[t.role];
      if (!outcome) throw new Error(`${s.name}: no decision for the ${t.role} task "${t.title}"`);
      await engine.completeTask(t.id, { outcome, by: 'fixture.recorder' });
    }
    if (open.length > 0) continue;
    const due = live.map((r) => r.nextAt).filter((n): n is number => n !== undefined);
    if (due.length === 0) throw new Error(`${s.name}: run ${runId} waits on nothing that will come`);
    const next = Math.min(...due);
    if (next > clock.now()) clock.advance(next - clock.now());
    await pause(25);
  }
  throw new Error(`${s.name}: run ${runId} did not finish in two minutes`);
}
