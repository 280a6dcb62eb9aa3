/**
 * The main job: the simulated estate in process, Baton's engine, bus and workers on the configured
 * database with the five flows, and the estate's life around them: steady demand, stock that runs
 * low, a promotion every few minutes and colleagues answering the exception tasks.
 */
import { Bus } from '../../bus/index.js';
import { type Connectors, connectorsFromConfig } from '../../connectors/index.js';
import { type BatonConfig, createLogger, errorMessage, type Logger } from '../../core/index.js';
import { Engine } from '../../engine/index.js';
import { type Colleagues, estateFlows, promotionApproved, startColleagues } from '../../retail/index.js';
import { loadDefaultRules } from '../../rules/index.js';
import { generateDemand, type Simulator, SYSTEM_NAMES, startSimulator } from '../../sim/index.js';
import type { Store } from '../../store/index.js';
import { type GlobalOptions, loadConfig, openConfiguredStore } from '../context.js';
import { DemandStream, DemandTranslator, type OnSale } from './demand.js';

export interface EstatePace {
  /** Real milliseconds per simulated day. */
  dayMs: number;
  /** Orders published per simulated day (web and till, one web order to two till sales). */
  ordersPerDay: number;
  /** One return request after this many orders. */
  returnEvery: number;
  /** Real milliseconds between promotion launches; the first comes a quarter day in. */
  promotionEveryMs: number;
  /** Real milliseconds a colleague takes to react. */
  reactionMs: number;
}

export interface EstateOptions {
  global: GlobalOptions;
  seed: string | number;
  stores?: number;
  skus?: number;
  concurrency?: number;
  pace: EstatePace;
  leaveForYou?: number;
  onError?: (message: string) => void;
}

export interface EstateRun {
  sim: Simulator;
  config: Readonly<BatonConfig>;
  store: Store;
  engine: Engine;
  bus: Bus;
  connectors: Connectors;
  logger: Logger;
  colleagues: Colleagues;
  /** Starts the demand, the stock watch and the promotions. */
  drive(o?: { promotions?: boolean; demand?: boolean }): void;
  /** Launches the next planned promotion now; resolves to its id. */
  launchPromotion(): Promise<string>;
  /** Publishes one order now (with a promoted item when one is on sale). */
  publishOrder(): Promise<void>;
  /** A store asks its DC for a delivery large enough to need store operations' approval. */
  requestLargeTransfer(): Promise<string>;
  /** Stops the demand and the promotions; runs keep going. */
  quiet(): void;
  /** Until every run has ended and nothing is in flight, or the time is up; false then. */
  settle(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export async function startEstate(o: EstateOptions): Promise<EstateRun> {
  const { pace } = o;
  const sim = await startSimulator({
    seed: o.seed,
    port: 0,
    estate: { ...(o.stores ? { stores: o.stores } : {}), ...(o.skus ? { skus: o.skus } : {}) },
    timing: { dayMs: pace.dayMs, priceApplyMs: pace.dayMs / 100, priceLagMs: pace.dayMs / 20 },
  });
  const config = loadConfig(o.global, {
    connectors: Object.fromEntries(SYSTEM_NAMES.map((s) => [s, { baseUrl: sim.url(s) }])),
    ...(o.concurrency ? { worker: { concurrency: o.concurrency } as never } : {}),
  });
  const logger = createLogger(config.logLevel);
  const store = await openConfiguredStore(config);
  const engine = new Engine({ store, config, logger });
  const connectors = connectorsFromConfig(config, store, { clock: engine.clock, logger });
  const flows = estateFlows({
    connectors,
    estate: sim.estate,
    rules: await loadDefaultRules(),
    dayMs: pace.dayMs,
  });
  engine.register(...flows.workflows);
  const bus = new Bus({ engine, logger });
  flows.triggers(bus);
  engine.start();
  await bus.start();
  const report = (err: unknown) => o.onError?.(errorMessage(err));
  const colleagues = startColleagues({
    engine,
    bus,
    reactionMs: pace.reactionMs,
    leaveForYou: o.leaveForYou ?? 0,
    onError: report,
  });

  const translate = new DemandTranslator(sim.estate);
  const stream = new DemandStream(generateDemand(sim.estate, { promotions: false }));
  const stamp = Date.now().toString(36).toUpperCase();
  let n = 0;
  const publish = async (type: string, data: unknown) => {
    const r = await bus.receive({ id: `estate-${stamp}-${++n}`, type, data, time: Date.now() }, 'estate');
    if (r.quarantined) report(new Error(`${type} was quarantined: ${r.quarantined}`));
  };

  // what is on sale: a launched promotion lifts demand for its items for one simulated day
  let onSale: { items: OnSale[]; until: number } | undefined;
  const offLaunched = bus.subscribe('promotion.launched', (e, info) => {
    if (info.duplicate) return;
    const run = promotions.get((e.data as { promotionId: string }).promotionId);
    if (run) onSale = { items: run, until: Date.now() + pace.dayMs };
  });
  const promotions = new Map<string, OnSale[]>();
  const planned = sim.estate.promotions;
  let launches = 0;
  const launchPromotion = async () => {
    const plan = planned[launches++ % planned.length]!;
    const event = promotionApproved(sim.estate, plan, `${stamp}-${launches}`);
    promotions.set(
      event.promotionId,
      event.items.map((i) => {
        const item = sim.index.skus.get(i.sku)!;
        const off = (100 - plan.discountPct) / 100;
        return {
          sku: i.sku,
          store: Math.round(item.prices.store * off * 100) / 100,
          web: Math.round(item.prices.web * off * 100) / 100,
        };
      }),
    );
    await publish('promotion.approved', event);
    return event.promotionId;
  };

  // stock watch: a DC under its reorder point breaches, a store nearly out asks its DC for stock
  const suppliers = new Map(sim.estate.suppliers.map((s) => [s.id, s]));
  const footfall = new Map<string, number>();
  for (const s of sim.estate.stores) footfall.set(s.dcId, (footfall.get(s.dcId) ?? 0) + s.sizeFactor * 1.18);
  const raised = new Set<string>();
  let lastBreach = 0;
  let lastTransfer = 0;
  const watch = async (sku: string, storeId: string | undefined, dcId: string) => {
    const item = sim.index.skus.get(sku);
    if (!item) return;
    const now = Date.now();
    const available = sim.state.stock.available(sku, dcId);
    const lead = suppliers.get(item.supplierId)?.leadTimeDays ?? 7;
    const reorderPoint = Math.ceil(item.velocity * (footfall.get(dcId) ?? 1) * lead);
    if (available < reorderPoint && !raised.has(`${dcId}:${sku}`) && now - lastBreach > pace.dayMs / 2) {
      raised.add(`${dcId}:${sku}`);
      lastBreach = now;
      const onHand = sim.state.stock.level(sku, dcId).onHand;
      await publish('inventory.threshold_breached', {
        locationId: dcId,
        sku,
        threshold: 'reorder-point',
        onHand: { value: onHand, uom: 'EA' },
        available: { value: Math.max(0, available), uom: 'EA' },
        thresholdQuantity: { value: reorderPoint, uom: 'EA' },
        detectedAt: new Date(now).toISOString(),
      });
    }
    if (!storeId || raised.has(`${storeId}:${sku}`) || now - lastTransfer < pace.dayMs / 3) return;
    if (sim.state.stock.available(sku, storeId) >= 3) return;
    raised.add(`${storeId}:${sku}`);
    lastTransfer = now;
    const qty = Math.max(6, Math.ceil(item.velocity * 7));
    await publish('transfer.requested', {
      transferId: `TR-${stamp}-${String(++transfers).padStart(4, '0')}`,
      fromLocationId: dcId,
      toLocationId: storeId,
      reason: 'store-request',
      neededBy: new Date(now + 3 * 86_400_000).toISOString().slice(0, 10),
      lines: [{ sku, quantity: { value: qty, uom: 'EA' } }],
      estimatedValue: { amount: (qty * item.cost).toFixed(2), currency: sim.estate.currency },
      requestedBy: `store.${storeId.toLowerCase()}`,
      requestedAt: new Date(now).toISOString(),
    });
  };
  let transfers = 0;
  const requestLargeTransfer = async () => {
    const store = sim.estate.stores[0]!;
    const item = sim.estate.skus.find((s) => sim.state.stock.available(s.sku, store.dcId) >= 200)!;
    const transferId = `TR-${stamp}-${String(++transfers).padStart(4, '0')}`;
    raised.add(`${store.id}:${item.sku}`);
    await publish('transfer.requested', {
      transferId,
      fromLocationId: store.dcId,
      toLocationId: store.id,
      reason: 'store-request',
      neededBy: new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10),
      lines: [{ sku: item.sku, quantity: { value: 80, uom: 'EA' } }],
      estimatedValue: { amount: (80 * item.cost).toFixed(2), currency: sim.estate.currency },
      requestedBy: `store.${store.id.toLowerCase()}`,
      requestedAt: new Date().toISOString(),
    });
    return transferId;
  };

  let orders = 0;
  const publishOrder = async () => {
    if (onSale && onSale.until < Date.now()) onSale = undefined;
    // while a promotion runs, every other order carries one of its items
    const sale = onSale && orders % 2 === 0 ? onSale.items[orders % onSale.items.length] : undefined;
    const web = orders++ % 3 === 0;
    if (web) {
      const e = stream.next('web.order');
      if (!e) return;
      const order = translate.webOrder(e.payload, sale);
      await publish('order.created', order);
      const dc = order.fulfilment.locationId ?? 'DC-1';
      for (const l of order.lines) await watch(l.sku, undefined, dc);
    } else {
      const e = stream.next('pos.sale');
      if (!e) return;
      const order = translate.posSale(e.payload, sale);
      await publish('order.created', order);
      const dc = translate.dcOf(e.payload.storeId);
      for (const l of order.lines) await watch(l.sku, e.payload.storeId, dc);
    }
    if (orders % pace.returnEvery === 0) {
      const r = stream.next('return.requested');
      if (r) await publish('return.requested', translate.returnRequest(r.payload));
    }
  };

  const timers: NodeJS.Timeout[] = [];
  let busy = false;
  const quiet = () => {
    for (const t of timers.splice(0)) clearInterval(t);
  };
  return {
    sim,
    config,
    store,
    engine,
    bus,
    connectors,
    logger,
    colleagues,
    launchPromotion,
    publishOrder,
    requestLargeTransfer,
    drive(d = {}) {
      if (d.demand !== false)
        timers.push(
          setInterval(() => {
            if (busy) return;
            busy = true;
            publishOrder()
              .catch(report)
              .finally(() => {
                busy = false;
              });
          }, pace.dayMs / pace.ordersPerDay),
        );
      if (d.promotions !== false) {
        const first = setTimeout(() => launchPromotion().catch(report), pace.dayMs / 4);
        timers.push(
          first,
          setInterval(() => launchPromotion().catch(report), pace.promotionEveryMs),
        );
      }
    },
    quiet,
    async settle(timeoutMs) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const live = await engine.searchRuns({
          status: ['pending', 'running', 'waiting', 'compensating'],
          limit: 1,
        });
        if (live.length === 0 && colleagues.pending() === 0 && (await bus.lag()) === 0) {
          await new Promise((r) => setTimeout(r, 200));
          const again = await engine.searchRuns({ status: ['pending', 'running', 'waiting'], limit: 1 });
          if (again.length === 0 && colleagues.pending() === 0) return true;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      return false;
    },
    async close() {
      quiet();
      offLaunched();
      colleagues.stop();
      await bus.stop();
      await engine.stop(10_000);
      await connectors.close();
      await store.close();
      await sim.close();
    },
  };
}
