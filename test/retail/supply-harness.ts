/**
 * The simulated estate, an engine on SQLite, the bus with the flows' triggers and the connectors
 * pointed at the estate, all on one manual clock: supplier answers, price application and the
 * flows' timers move only when a test advances it, so nothing depends on how fast the machine is.
 */
import { after } from 'node:test';
import { Bus, type BusEvent } from '../../src/bus/index.js';
import { Connectors } from '../../src/connectors/index.js';
import { ManualClock } from '../../src/core/index.js';
import { masterDataFrom } from '../../src/retail/flows/master-data.js';
import { promotionLaunchFlow, triggerPromotionLaunch } from '../../src/retail/flows/promotion.js';
import { replenishmentFlow, triggerReplenishment } from '../../src/retail/flows/replenishment.js';
import { type FlowRules, fileRules } from '../../src/retail/flows/rules.js';
import { type SimTiming, type Simulator, SYSTEM_NAMES, startSimulator } from '../../src/sim/index.js';
import { isTerminal, type RunRecord, type Store, type TaskRecord } from '../../src/store/index.js';
import { sleep, startEngine } from '../helpers.js';

export const START = Date.parse('2026-03-02T08:00:00Z');
export const DAY = 86_400_000;

export interface HarnessOptions {
  faults?: unknown;
  timing?: Partial<SimTiming>;
  /** Where the flows' tables come from; the files in rules/ unless given (e.g. `governedRules`). */
  rules?: (store: Store) => FlowRules;
}

export async function flowHarness(o: HarnessOptions = {}) {
  const clock = new ManualClock(START);
  const sim: Simulator = await startSimulator({
    seed: 1,
    port: 0,
    clock,
    timing: { dayMs: DAY, priceApplyMs: 5 * 60_000, priceLagMs: 40 * 60_000, ...o.timing },
    ...(o.faults ? { faults: o.faults } : {}),
  });
  after(() => sim.close());
  const md = masterDataFrom(sim.estate);
  const { engine, store } = startEngine([], { clock, start: false });
  const rules = o.rules ? o.rules(store) : await fileRules();
  // the breaker waits in real time while the manual clock races ahead: keep it out of these tests
  const settings = Object.fromEntries(
    SYSTEM_NAMES.map((s) => [s, { baseUrl: sim.url(s), retryDelayMs: 10, breakerThreshold: 10_000 }]),
  );
  const connectors = new Connectors({ store, clock, settings });
  const replenishment = replenishmentFlow({ connectors, masterData: md, rules });
  const promotion = promotionLaunchFlow({ connectors, masterData: md, rules, replenishment });
  engine.register(promotion, replenishment);
  const bus = new Bus({ engine, relay: { pollIntervalMs: 20 } });
  triggerPromotionLaunch(bus, promotion);
  triggerReplenishment(bus, replenishment);
  const events: BusEvent[] = [];
  bus.subscribe('*', (e, info) => {
    if (!info.duplicate) events.push(e);
  });
  engine.start();
  await bus.start();
  after(() => bus.stop(1000));

  /** Publishes an event as a system would: the trigger starts the run. */
  const publish = async (type: string, data: unknown) => {
    const r = await bus.receive({
      id: `${type}:${clock.now()}:${events.length}`,
      type,
      time: clock.now(),
      data,
    });
    if (r.quarantined) throw new Error(`quarantined: ${r.quarantined}`);
    return r.runs[0]!;
  };

  /**
   * Runs until the run ends: answers open tasks with `decide`, and when every run waits on time,
   * moves the clock to the earliest due timer. Returns early when a run waits on a task `decide`
   * leaves open.
   */
  const drive = async (
    runId: string,
    decide: (t: TaskRecord) => { outcome: string; values?: Record<string, unknown> } | undefined = () =>
      undefined,
    limitMs = 30_000,
  ): Promise<RunRecord> => {
    const until = Date.now() + limitMs;
    while (Date.now() < until) {
      const run = await engine.getRun(runId);
      if (isTerminal(run.status)) {
        // the last events are committed; let the relay hand them to the subscribers first
        while ((await bus.lag()) > 0 && Date.now() < until) await sleep(10);
        await sleep(50);
        return run;
      }
      const live = await engine.searchRuns({ status: ['pending', 'running', 'waiting', 'compensating'] });
      // a compensating run between retries waits on its timer like a waiting one
      const busy = (r: RunRecord) =>
        r.status === 'running' ||
        r.status === 'pending' ||
        (r.status === 'compensating' && (r.nextAt ?? 0) <= clock.now());
      if (live.some(busy) || (await bus.lag()) > 0) {
        await sleep(10);
        continue;
      }
      let acted = false;
      for (const t of await engine.listTasks({ status: 'open' })) {
        const d = decide(t);
        if (!d) continue;
        await engine.completeTask(t.id, { outcome: d.outcome, values: d.values ?? {}, by: `test.${t.role}` });
        acted = true;
      }
      if (acted) continue;
      const due = live.map((r) => r.nextAt).filter((n): n is number => n !== undefined);
      if (due.length === 0) {
        await sleep(50); // the relay hands the last events to the subscribers
        return engine.getRun(runId);
      }
      const next = Math.min(...due);
      if (next > clock.now()) clock.advance(next - clock.now());
      await sleep(25);
    }
    const tail = (await engine.journal(runId))
      .slice(-4)
      .map((e) => `${e.position} ${e.kind} ${e.name} ${e.status}`);
    throw new Error(`run ${runId} did not finish within ${limitMs} ms; journal ends ${tail.join(' | ')}`);
  };

  const ofType = (type: string) => events.filter((e) => e.type === type);
  return {
    clock,
    sim,
    md,
    engine,
    store,
    bus,
    connectors,
    promotion,
    replenishment,
    events,
    ofType,
    publish,
    drive,
  };
}

export type FlowHarness = Awaited<ReturnType<typeof flowHarness>>;
