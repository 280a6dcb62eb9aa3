import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Connectors } from '../../src/connectors/index.js';
import { NonDeterminismError } from '../../src/core/index.js';
import { type RecordedRun, replayRun, type WorkflowDefinition } from '../../src/engine/index.js';
import {
  fileRules,
  governedRules,
  locationsFrom,
  masterDataFrom,
  orderFulfilmentFlow,
  promotionLaunchFlow,
  type RetailPorts,
  replenishmentFlow,
  returnsFlow,
  transferFlow,
} from '../../src/retail/index.js';
import { buildEstate } from '../../src/sim/index.js';
import type { Store } from '../../src/store/index.js';

// Ports and connectors that fail the test if called: a replay answers every call from the journal.
const calls: string[] = [];
const ports = new Proxy({} as RetailPorts, {
  get: (_, system: string) =>
    new Proxy(
      {},
      {
        get: (__, op: string) => () => {
          calls.push(`${system}.${op}`);
          throw new Error(`replay called ${system}.${op}`);
        },
      },
    ),
});
const connectors = {
  client: (c: { name: string }) => ({
    call: (op: string) => {
      calls.push(`${c.name}.${op}`);
      throw new Error(`replay called ${c.name}.${op}`);
    },
  }),
} as unknown as Connectors;
const rules = await fileRules();
const locations = locationsFrom({ stores: [], distributionCentres: [] });
// the planning data the promotion and replenishment fixtures were recorded on (seed 1, full estate)
const masterData = masterDataFrom(buildEstate({ seed: 1 }));
const supply = (r: typeof rules) => {
  const replenishment = replenishmentFlow({ connectors, masterData, rules: r });
  return {
    replenishment,
    promotion: promotionLaunchFlow({ connectors, masterData, rules: r, replenishment }),
  };
};
const { replenishment, promotion } = supply(rules);
const defs = new Map<string, WorkflowDefinition>(
  [
    orderFulfilmentFlow({ ports, rules }),
    transferFlow({ ports, rules, locations }),
    returnsFlow({ ports, rules }),
    promotion,
    replenishment,
  ].map((d) => [d.key, d as unknown as WorkflowDefinition]),
);

const dir = join(import.meta.dirname, '..', 'fixtures', 'journals', 'flows');
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ file: f, rec: JSON.parse(readFileSync(join(dir, f), 'utf8')) as RecordedRun }))
  .filter(({ rec }) => defs.has(`${rec.workflow}@${rec.version}`));

test('there are recorded journals of all five flows', () => {
  const recorded = new Set(fixtures.map((f) => f.rec.workflow));
  for (const d of defs.values()) assert.ok(recorded.has(d.name), `no fixture for ${d.name}`);
  const names = new Set(fixtures.map((f) => f.file));
  for (const f of [
    'promotion-launched.json',
    'promotion-shortfall-store-transfers.json',
    'replenishment-received.json',
    'replenishment-ack-changed.json',
  ])
    assert.ok(names.has(f), `no fixture ${f}`);
});

for (const { file, rec } of fixtures) {
  test(`recorded journal ${file} replays against the current code`, async () => {
    const result = await replayRun(defs.get(`${rec.workflow}@${rec.version}`)!, rec);
    assert.deepEqual(calls, [], 'a replay performed a real call');
    assert.equal(result.status, rec.status);
    assert.deepEqual(result.output, rec.output);
    assert.equal(result.calls, rec.journal.length, 'every recorded call was asked for');
  });
}

for (const file of [
  'order-fulfilment-confirmed.json',
  'promotion-launched.json',
  'replenishment-received.json',
]) {
  test(`${file} with its first decision and the call after it swapped fails the replay there`, async () => {
    const { rec } = fixtures.find((f) => f.file === file)!;
    const swapped = structuredClone(rec);
    const i = swapped.journal.findIndex((e) => e.kind === 'decide');
    const [a, b] = [swapped.journal[i]!, swapped.journal[i + 1]!];
    assert.notEqual(`${a.kind} ${a.name}`, `${b.kind} ${b.name}`);
    [a.kind, a.name, b.kind, b.name] = [b.kind, b.name, a.kind, a.name];
    await assert.rejects(
      () => replayRun(defs.get(`${rec.workflow}@${rec.version}`)!, swapped),
      (e: unknown) => e instanceof NonDeterminismError && e.position === i,
    );
  });
}

// Moving a running flow from the rule files to the governed sets adds a step (the table read)
// before each decision: the in-flight runs recorded on files refuse it, so it needs a new version.
test('the promotion and replenishment fixtures refuse code that reads its rules from the store', async () => {
  const governed = supply(governedRules({} as Store));
  for (const [file, def] of [
    ['promotion-launched.json', governed.promotion],
    ['replenishment-received.json', governed.replenishment],
  ] as const) {
    const { rec } = fixtures.find((f) => f.file === file)!;
    const first = rec.journal.findIndex((e) => e.kind === 'decide');
    await assert.rejects(
      () => replayRun(def as unknown as WorkflowDefinition, rec),
      (e: unknown) => e instanceof NonDeterminismError && e.position === first && /rules:/.test(e.message),
      file,
    );
  }
  assert.deepEqual(calls, []);
});
