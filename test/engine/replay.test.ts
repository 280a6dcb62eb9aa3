import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { NonDeterminismError } from '../../src/core/index.js';
import { type RecordedRun, replayRun, type WorkflowDefinition } from '../../src/engine/index.js';
import { createDemoSystems, referenceWorkflows } from '../../src/retail/index.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'journals');
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ file: f, rec: JSON.parse(readFileSync(join(dir, f), 'utf8')) as RecordedRun }));

// Systems that fail the test if called: a replay must answer every call from the journal.
const systems = createDemoSystems({ latencyMs: 0 });
const calls: string[] = [];
for (const [name, sys] of Object.entries(systems)) {
  if (name === 'log') continue;
  for (const op of Object.keys(sys)) {
    (sys as Record<string, unknown>)[op] = () => {
      calls.push(`${name}.${op}`);
      throw new Error(`replay called ${name}.${op}`);
    };
  }
}
const defs = new Map<string, WorkflowDefinition>(
  Object.values(referenceWorkflows(systems)).map((d) => [d.key, d as WorkflowDefinition]),
);
const defFor = (rec: RecordedRun) => {
  const d = defs.get(`${rec.workflow}@${rec.version}`);
  assert.ok(d, `no registered definition for ${rec.workflow}@${rec.version}`);
  return d;
};

test('there are recorded journals for every reference workflow', () => {
  const workflows = new Set(fixtures.map((f) => f.rec.workflow));
  for (const d of defs.values()) assert.ok(workflows.has(d.name), `no fixture for ${d.name}`);
  assert.ok(fixtures.length >= 7);
});

for (const { file, rec } of fixtures) {
  test(`recorded journal ${file} replays against the current code`, async () => {
    const result = await replayRun(defFor(rec), rec);
    assert.deepEqual(calls, [], 'a replay performed a real call');
    assert.equal(result.status, rec.status === 'waiting' ? 'waiting' : rec.status);
    if (rec.status === 'completed') assert.deepEqual(result.output, rec.output);
    if (rec.status === 'compensated') assert.equal(result.error?.message, rec.error?.message);
    assert.equal(result.calls, rec.journal.length, 'every recorded call was asked for');
  });
}

test('a journal whose steps were reordered fails the replay with the position and both calls', async () => {
  const { rec } = fixtures.find((f) => f.file === 'order-release-happy.json')!;
  const swapped = structuredClone(rec);
  const [a, b] = [swapped.journal[0]!, swapped.journal[1]!];
  [a.name, b.name] = [b.name, a.name];
  [a.result, b.result] = [b.result, a.result];
  await assert.rejects(
    () => replayRun(defFor(rec), swapped),
    (e: unknown) =>
      e instanceof NonDeterminismError &&
      e.position === 0 &&
      e.recorded?.name === 'check-credit' &&
      e.requested?.name === 'validate-price',
  );
});

test('a journal with a call the code no longer makes, or missing one it makes, fails the replay', async () => {
  const { rec } = fixtures.find((f) => f.file === 'order-release-happy.json')!;
  const extra = structuredClone(rec);
  const last = extra.journal[extra.journal.length - 1]!;
  extra.journal.push({ ...last, position: last.position + 1, kind: 'step', name: 'removed-step' });
  await assert.rejects(
    () => replayRun(defFor(rec), extra),
    (e: unknown) => e instanceof NonDeterminismError && e.position === last.position + 1,
  );

  const missing = structuredClone(rec);
  missing.journal = missing.journal
    .filter((e) => e.position !== 1)
    .map((e) => (e.position > 1 ? { ...e, position: e.position - 1 } : e));
  await assert.rejects(() => replayRun(defFor(rec), missing), NonDeterminismError);
});
