import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { NonDeterminismError } from '../../src/core/index.js';
import { type RecordedRun, replayRun, type WorkflowDefinition } from '../../src/engine/index.js';
import {
  fileRules,
  locationsFrom,
  orderFulfilmentFlow,
  type RetailPorts,
  returnsFlow,
  transferFlow,
} from '../../src/retail/index.js';

// Ports that fail the test if called: a replay must answer every system call from the journal.
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
const rules = await fileRules();
const locations = locationsFrom({ stores: [], distributionCentres: [] });
const defs = new Map<string, WorkflowDefinition>(
  [
    orderFulfilmentFlow({ ports, rules }),
    transferFlow({ ports, rules, locations }),
    returnsFlow({ ports, rules }),
  ].map((d) => [d.key, d as unknown as WorkflowDefinition]),
);

const dir = join(import.meta.dirname, '..', 'fixtures', 'journals', 'flows');
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ file: f, rec: JSON.parse(readFileSync(join(dir, f), 'utf8')) as RecordedRun }))
  .filter(({ rec }) => defs.has(`${rec.workflow}@${rec.version}`));

test('there are recorded journals of the order, transfer and returns flows', () => {
  const recorded = new Set(fixtures.map((f) => f.rec.workflow));
  for (const d of defs.values()) assert.ok(recorded.has(d.name), `no fixture for ${d.name}`);
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

test('a flow journal whose decisions were reordered fails the replay at the first difference', async () => {
  const { rec } = fixtures.find((f) => f.file === 'order-fulfilment-confirmed.json')!;
  const swapped = structuredClone(rec);
  const i = swapped.journal.findIndex((e) => e.kind === 'decide');
  const [a, b] = [swapped.journal[i]!, swapped.journal[i + 1]!];
  [a.kind, a.name, b.kind, b.name] = [b.kind, b.name, a.kind, a.name];
  await assert.rejects(
    () => replayRun(defs.get(`${rec.workflow}@${rec.version}`)!, swapped),
    (e: unknown) => e instanceof NonDeterminismError && e.position === i,
  );
});
