import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from './helpers.js';

const root = join(import.meta.dirname, '..');

test('the README example is examples/quickstart.ts, verbatim', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const m = readme.match(/<!-- example:quickstart -->\n```ts\n([\s\S]*?)```\n<!-- \/example:quickstart -->/);
  assert.ok(m, 'README has the quickstart example block');
  assert.equal(m[1], readFileSync(join(root, 'examples', 'quickstart.ts'), 'utf8'));
});

test('the README example runs to completion', () => {
  const db = join(tempDir(), 'example.db');
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'examples', 'quickstart.ts')], {
    cwd: root,
    env: { ...process.env, BATON_DB: db },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /completed \{ status: 'shipped', trackingId: '1Z999' \}/);
});

test('the README quick start names the commands package.json runs', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  assert.match(readme, /npm ci && npm start/);
  assert.match(readme, /npm test /);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.match(pkg.scripts.start, /bin\/baton\.js start/);
  assert.ok(readFileSync(join(root, '.ci', 'run'), 'utf8').includes('npm test'));
});
