import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunRecord } from '../../src/store/index.js';
import { tempDir } from '../helpers.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'baton.js');
const FLOWS = [
  'order.fulfilment',
  'transfer.stock',
  'return.refund-flow',
  'replenishment.procure',
  'promotion.launch',
];

test('the main job, bounded: every flow runs on a small estate and nothing fails', () => {
  const db = join(tempDir(), 'main-job.db');
  const r = spawnSync(
    process.execPath,
    [BIN, '--db', db, 'start', '--exit-when-done', '--port', '0', '--stores', '12', '--skus', '200'],
    { encoding: 'utf8', timeout: 180_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /HTTP API on http:\/\/127\.0\.0\.1:\d+ \(docs at /);
  assert.match(r.stdout, /every run settled/);
  const list = spawnSync(process.execPath, [BIN, '--db', db, 'runs', 'list', '--limit', '10000', '--json'], {
    encoding: 'utf8',
  });
  const runs = JSON.parse(list.stdout) as RunRecord[];
  for (const flow of FLOWS) {
    const mine = runs.filter((x) => x.workflow === flow);
    assert.ok(mine.length > 0, `${flow} ran`);
    assert.ok(
      mine.every((x) => x.status === 'completed'),
      `${flow}: ${mine.map((x) => x.status).join(', ')}`,
    );
    assert.match(r.stdout, new RegExp(`${flow.replace('.', '\\.')}\\s+${mine.length} completed\\n`));
  }
});
