import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'baton.js');

test('baton demo promotion --json reports the flagship scenario on 120 stores', () => {
  const r = spawnSync(process.execPath, [BIN, 'demo', 'promotion', '--json', '--seed', '1'], {
    encoding: 'utf8',
    timeout: 240_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as Record<string, unknown> & {
    tasks: { created: number; open: number; byRole: Record<string, Record<string, number>> };
  };
  for (const key of [
    'orders',
    'transfers',
    'purchaseOrders',
    'priceUpdates',
    'tasks',
    'exceptions',
    'runsFailed',
    'handoffP50Ms',
    'handoffP99Ms',
  ])
    assert.ok(key in report, `the report has ${key}`);
  assert.equal(report.stores, 120);
  assert.ok((report.orders as number) > 0, 'orders were placed');
  assert.ok((report.priceUpdates as number) > 0, 'prices were sent to the channels');
  assert.equal(report.runsFailed, 0);
  assert.equal(report.settled, true);
  assert.equal(report.tasks.open, 0, 'the simulated colleagues answered every task');
  const p50 = report.handoffP50Ms as number;
  const p99 = report.handoffP99Ms as number;
  assert.ok(p50 > 0 && p50 <= p99, `p50 ${p50} ms <= p99 ${p99} ms`);
});
