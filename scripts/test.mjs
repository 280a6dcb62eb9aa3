#!/usr/bin/env node
// Runs every *.test.ts under test/ with Node's test runner (TypeScript through tsx).
// Extra arguments are passed on, e.g. `npm test -- --test-name-pattern=lookback`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return d.name === 'fixtures' ? [] : find(p);
    return d.name.endsWith('.test.ts') ? [p] : [];
  });
}

const args = process.argv.slice(2);
const files = args.some((a) => !a.startsWith('-')) ? [] : find('test').sort();
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...args, ...files],
  { stdio: 'inherit' },
);
process.exit(res.status ?? 1);
