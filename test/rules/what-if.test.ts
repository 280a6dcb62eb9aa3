import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { main } from '../../src/cli/main.js';
import { ValidationError } from '../../src/core/index.js';
import { defineWorkflow } from '../../src/engine/index.js';
import {
  type DecisionTable,
  decisionFor,
  loadDefaultRules,
  toDmnXml,
  type WhatIfReport,
  whatIf,
} from '../../src/rules/index.js';
import { startEngine, tempDir } from '../helpers.js';

const current = (await loadDefaultRules()).get('transfer-approval')!;

/** The draft a business owner proposes: the regional auto-approval limit drops from 2,000 to 1,000. */
const draft: DecisionTable = structuredClone(current);
draft.version = 2;
draft.rules[0]!.inputEntries[0] = '<= 1000';

const transfer = defineWorkflow({
  name: 'test.transfer-policy',
  version: 1,
  input: Type.Object({
    transferId: Type.String(),
    value: Type.Number(),
    qty: Type.Integer(),
    distanceKm: Type.Number(),
    sameRegion: Type.Unknown(),
  }),
  async run(ctx, t) {
    const { transferId, ...facts } = t;
    const decided = await ctx.decide(decisionFor<{ approval: string }>(current), { transfer: facts });
    return { transferId, approval: decided.approval };
  },
});

const transfers = [
  { transferId: 'T-1', value: 1800, qty: 40, distanceKm: 90, sameRegion: true }, // changes: auto → store operations
  { transferId: 'T-2', value: 900, qty: 20, distanceKm: 60, sameRegion: true }, // stays automatic
  { transferId: 'T-3', value: 1200, qty: 30, distanceKm: 50, sameRegion: true }, // changes
  { transferId: 'T-4', value: 25_000, qty: 10, distanceKm: 10, sameRegion: true }, // stays with store operations
  { transferId: 'T-5', value: 400, qty: 10, distanceKm: 10, sameRegion: 'yes' }, // failed: not a boolean, fails either way
];

test('what-if re-evaluates a draft against the decisions real runs recorded and reports the ones that change', async () => {
  const { engine, path } = startEngine([transfer]);
  const runs = new Map<string, string>();
  for (const t of transfers) {
    const run = await engine.startRun(transfer, t);
    runs.set(t.transferId, run.id);
  }
  for (const id of runs.values()) await engine.waitForRun(id);
  assert.equal((await engine.getRun(runs.get('T-5')!)).status, 'failed');

  const report = await whatIf(engine, draft, { days: 7 });
  assert.equal(report.decision, 'transfer-approval');
  assert.equal(report.draftVersion, 2);
  assert.equal(report.runsScanned, 5);
  assert.equal(report.evaluated, 5);
  assert.equal(report.changed, 2);
  assert.equal(report.unchanged, 3);
  assert.deepEqual(report.changes.map((c) => c.runId).sort(), [runs.get('T-1'), runs.get('T-3')].sort());
  const t1 = report.changes.find((c) => c.runId === runs.get('T-1'))!;
  assert.equal(t1.position, 0);
  assert.equal(t1.workflow, 'test.transfer-policy@1');
  assert.equal(t1.recordedVersion, 1);
  assert.deepEqual(t1.facts, { transfer: { value: 1800, qty: 40, distanceKm: 90, sameRegion: true } });
  assert.deepEqual(t1.before, {
    outputs: { approval: 'auto-approve', reason: 'within the regional limits', dueIn: null },
    matchedRules: ['transfer-approval_within_limits', 'transfer-approval_otherwise'],
  });
  assert.deepEqual(t1.after, {
    outputs: { approval: 'store-operations', reason: 'over the auto-approval limits', dueIn: '8h' },
    matchedRules: ['transfer-approval_otherwise'],
  });

  // the unchanged table changes nothing; a window that ends before the runs sees nothing
  assert.equal((await whatIf(engine.store, current, { days: 7 })).changed, 0);
  const earlier = await whatIf(engine, draft, { days: 1, now: Date.now() - 2 * 86_400_000 });
  assert.equal(earlier.evaluated, 0);
  // only the draft's table is replayed
  assert.equal((await whatIf(engine, { ...draft, id: 'other-table' }, { days: 7 })).evaluated, 0);
  await assert.rejects(() => whatIf(engine, draft, { days: 0 }), ValidationError);

  // the same report from the command line, on the same database
  const file = join(tempDir(), 'draft.dmn');
  writeFileSync(
    file,
    await toDmnXml({ id: 'draft', name: 'Draft', namespace: 'urn:test', decisions: [draft] }),
  );
  const out: string[] = [];
  const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
  assert.equal(
    await main(['--db', path, 'rules', 'what-if', file, '--days', '7', '--json'], io),
    0,
    out.join('\n'),
  );
  const cli = JSON.parse(out.join('\n')) as WhatIfReport;
  assert.equal(cli.changed, 2);
  assert.deepEqual(cli.changes, report.changes);
  out.length = 0;
  assert.equal(await main(['--db', path, 'rules', 'what-if', file], io), 0);
  assert.match(
    out[0]!,
    /^decision transfer-approval, draft 2: 5 decisions since .* in 5 runs; 2 would change, 3 would not$/,
  );
  assert.match(out.join('\n'), /auto-approve.*store-operations/);
});
