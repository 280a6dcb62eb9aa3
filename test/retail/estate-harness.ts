/**
 * What the order, transfer and returns flow tests run against: the simulated estate, an engine on a
 * real SQLite file, the bus with the flows' triggers and the built-in connectors pointed at the
 * estate. Time is real; the flows' waits are configured in milliseconds where a test needs them.
 */
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { Bus, type BusEvent } from '../../src/bus/index.js';
import { Connectors } from '../../src/connectors/index.js';
import { ContractValidators, catalogue } from '../../src/contracts/index.js';
import type { AnyWorkflow, RetryPolicy } from '../../src/engine/index.js';
import { type FlowRules, fileRules, portsFromConnectors, type RetailPorts } from '../../src/retail/index.js';
import { type Simulator, SYSTEM_NAMES, type SystemName, startSimulator } from '../../src/sim/index.js';
import type { RunRecord, TaskRecord } from '../../src/store/index.js';
import { eventually, startEngine } from '../helpers.js';

/** Step retries short enough for tests, long enough to outlast a two-second outage. */
export const testRetry: RetryPolicy = {
  maxAttempts: 6,
  initialInterval: '100ms',
  backoffCoefficient: 2,
  maximumInterval: '1s',
};

export interface Harness {
  sim: Simulator;
  engine: ReturnType<typeof startEngine>['engine'];
  store: ReturnType<typeof startEngine>['store'];
  bus: Bus;
  connectors: Connectors;
  /** Every event the bus carried, in order. */
  events: BusEvent[];
  /** Applies an inbound event as the bus would and returns the run it started. */
  publish(type: string, data: unknown, id?: string): Promise<string>;
  /** Applies an inbound event that starts nothing (a run waits for it). */
  deliver(type: string, data: unknown, id?: string): Promise<void>;
  /** The run once it ended, with every event it emitted carried by the bus. */
  finish(runId: string): Promise<RunRecord>;
  /** Until the bus has carried every event emitted so far. */
  drain(): Promise<void>;
  /** The open task of a run, once it exists. */
  openTask(runId: string, timeoutMs?: number): Promise<TaskRecord>;
  /** Events of a type about one business key (the subject). */
  emitted(type: string, subject: string): BusEvent[];
  fetchSim<T>(system: SystemName, path: string, body?: unknown): Promise<T>;
}

export async function startHarness(
  build: (
    ports: RetailPorts,
    rules: FlowRules,
    sim: Simulator,
  ) => { workflows: AnyWorkflow[]; triggers(bus: Bus): void },
): Promise<Harness> {
  const sim = await startSimulator({ seed: 7, port: 0, estate: { stores: 8, skus: 80, customers: 60 } });
  after(() => sim.close());
  const { engine, store } = startEngine([]);
  const quick = {
    timeoutMs: 3000,
    maxAttempts: 2,
    retryDelayMs: 20,
    maxRetryDelayMs: 100,
    breakerThreshold: 1000,
    breakerHalfOpenMs: 200,
  };
  const connectors = new Connectors({
    store,
    settings: Object.fromEntries(SYSTEM_NAMES.map((s) => [s, { baseUrl: sim.url(s), ...quick }])),
    recorder: { flushMs: 50 },
  });
  after(() => connectors.close());
  const flows = build(portsFromConnectors(connectors), await fileRules(), sim);
  engine.register(...flows.workflows);
  const bus = new Bus({ engine });
  flows.triggers(bus);
  const events: BusEvent[] = [];
  bus.subscribe('*', (e, info) => {
    if (!info.duplicate) events.push(e);
  });
  await bus.start();
  after(() => bus.stop());
  let n = 0;
  const drain = async () => {
    const unpublished = () => store.readOutbox({ unpublishedOnly: true, limit: 1 });
    await eventually(async () => (await unpublished()).length === 0, 10_000, 'the outbox to drain');
  };
  return {
    drain,
    async deliver(type, data, id = `test-${type}-${++n}`) {
      const routed = await bus.receive({ id, type, data, time: Date.now() }, 'test');
      assert.equal(routed.quarantined, undefined, `the ${type} event was quarantined`);
    },
    async finish(runId) {
      const run = await engine.waitForRun(runId, 30_000);
      await drain();
      return run;
    },
    sim,
    engine,
    store,
    bus,
    connectors,
    events,
    async publish(type, data, id = `test-${type}-${++n}`) {
      const routed = await bus.receive({ id, type, data, time: Date.now() }, 'test');
      assert.equal(routed.quarantined, undefined, `the ${type} event was quarantined`);
      assert.equal(routed.runs.length, 1, `the ${type} event started one run`);
      return routed.runs[0]!;
    },
    openTask: (runId, timeoutMs = 15_000) =>
      eventually(
        async () => (await engine.listTasks({ runId, status: 'open' }))[0],
        timeoutMs,
        `an open task of run ${runId}`,
      ),
    emitted: (type, subject) => events.filter((e) => e.type === type && e.subject === subject),
    async fetchSim<T>(system: SystemName, path: string, body?: unknown) {
      const res = await fetch(`${sim.url(system)}${path}`, {
        ...(body === undefined
          ? {}
          : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      assert.ok(res.ok, `${system}${path} answered ${res.status}: ${await res.clone().text()}`);
      return (await res.json()) as T;
    },
  };
}

const validators = new ContractValidators();

/** Every event of a catalogue type fits its contract. */
export function assertContracts(events: BusEvent[]): void {
  for (const e of events) {
    const entry = catalogue.find((c) => c.type === e.type);
    if (!entry) continue;
    const issues = validators.validateOnce(entry.schema as Record<string, unknown>, e.data);
    assert.deepEqual(issues, [], `${e.type} for ${e.subject} does not fit its contract`);
  }
}

/** The decisions a run made, by decision id, with their outputs. */
export async function decisions(h: Harness, runId: string): Promise<Map<string, unknown[]>> {
  const out = new Map<string, unknown[]>();
  for (const e of await h.engine.journal(runId)) {
    if (e.kind !== 'decide') continue;
    out.set(e.name, [...(out.get(e.name) ?? []), (e.result as { outputs: unknown }).outputs]);
  }
  return out;
}

/** SKUs no promotion touches, so their list prices hold on any day. */
export function plainSkus(sim: Simulator): string[] {
  const promoted = new Set(sim.estate.promotions.flatMap((p) => p.skus));
  return sim.estate.skus.map((s) => s.sku).filter((s) => !promoted.has(s));
}

export const stockAt = (sim: Simulator, sku: string, location: string) =>
  sim.state.stock.level(sku, location);

/** An open task's due time is `hours` after it was created. */
export function assertDueIn(task: TaskRecord, hours: number): void {
  assert.ok(task.dueAt !== undefined, `task "${task.title}" has a due time`);
  assert.ok(
    Math.abs(task.dueAt - task.createdAt - hours * 3_600_000) < 2000,
    `task "${task.title}" is due in ${hours} h`,
  );
}
