import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

// Checks the benchmark's output contract on a small run; the figures themselves are not judged here.
test('bench:ingest --json prints one object with every figure', () => {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, '..', '..', 'bench', 'ingest.ts'),
      '--json',
      '--single',
      '100',
      '--batches',
      '4',
      '--batch-size',
      '50',
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'exactly one line of JSON on stdout');
  const out = JSON.parse(lines[0]!);
  for (const k of ['batchEventsPerSec', 'singleEventsPerSec', 'p99Ms']) {
    assert.equal(typeof out[k], 'number', `${k} is a number`);
    assert.ok(out[k] > 0, `${k} is positive`);
  }
  assert.ok(out.p99Ms >= out.p50Ms);
});
