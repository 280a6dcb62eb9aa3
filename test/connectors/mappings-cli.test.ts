import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'baton.js');
const dir = tempDir('baton-mappings-cli-');

function baton(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, BATON_LOG_LEVEL: 'silent' },
  });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

const sample = {
  name: 'sku-upper',
  version: 1,
  from: { format: 'test/item' },
  to: { request: 'test/item' },
  expression: "{ 'sku': $uppercase(sku), 'qty': qty }",
  fixtures: [
    { name: 'upper-cases the SKU', input: { sku: 'cap-red', qty: 2 }, expected: { sku: 'CAP-RED', qty: 2 } },
    { name: 'a wrong expectation', input: { sku: 'cap-red', qty: 2 }, expected: { sku: 'cap-red', qty: 2 } },
  ],
};

test('baton mappings test passes on the shipped mappings (the default folder) and exits 0', () => {
  const r = baton(['mappings', 'test']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^pass {2}shopify-orders-create v1 {2}paid web order shipped to Lisbon$/m);
  assert.match(r.out, /^pass {2}pos-csv-sale v1 /m);
  assert.match(r.out, /^all \d+ fixtures of \d+ mappings pass$/m);
  const one = baton(['mappings', 'test', join(ROOT, 'mappings', 'medusa-order-placed.v1.json'), '--json']);
  assert.equal(one.code, 0, one.err);
  const report = JSON.parse(one.out);
  assert.equal(report.ok, true);
  assert.equal(report.failed, 0);
  assert.ok(report.results.every((x: { mapping: string }) => x.mapping === 'medusa-order-placed'));
});

test('a failing fixture prints the difference and exits 1', () => {
  const folder = join(dir, 'failing');
  mkdirSync(folder);
  writeFileSync(join(folder, 'sku-upper.v1.json'), JSON.stringify(sample));
  const r = baton(['mappings', 'test', folder]);
  assert.equal(r.code, 1);
  assert.match(r.out, /^pass {2}sku-upper v1 {2}upper-cases the SKU$/m);
  assert.match(
    r.out,
    /^FAIL {2}sku-upper v1 {2}a wrong expectation\n {6}- \/sku: "cap-red"\n {6}\+ \/sku: "CAP-RED"$/m,
  );
  assert.equal(r.err, 'baton: 1 of 2 fixtures of 1 mapping failed');

  const j = baton(['mappings', 'test', folder, '--json']);
  assert.equal(j.code, 1);
  const report = JSON.parse(j.out);
  assert.deepEqual([report.ok, report.passed, report.failed], [false, 1, 1]);
  assert.deepEqual(report.results[1].differences, [{ path: '/sku', expected: 'cap-red', actual: 'CAP-RED' }]);
});

test('a mapping error in a fixture names the mapping, version and expression', () => {
  const file = join(dir, 'sku-math.v2.json');
  writeFileSync(
    file,
    JSON.stringify({
      ...sample,
      name: 'sku-math',
      version: 2,
      expression: ['{', "  'sku': sku & '-' & size,", "  'qty': qty + sku", '}'],
      fixtures: [{ name: 'adds a string', input: { sku: 'cap', size: 'M', qty: 1 }, expected: {} }],
    }),
  );
  const r = baton(['mappings', 'test', file]);
  assert.equal(r.code, 1);
  assert.match(
    r.out,
    /mapping sku-math v2 failed: T2002 .* at line 3, column \d+ \(token "\+"\) in: 'qty': qty \+ sku/,
  );
});

test('a file that is not a valid mapping exits 2 with one line naming the file and the pointer', () => {
  const file = join(dir, 'broken.v1.json');
  writeFileSync(file, JSON.stringify({ ...sample, name: 'broken', expression: "{ 'sku': " }));
  const r = baton(['mappings', 'test', file]);
  assert.equal(r.code, 2);
  assert.equal(r.out, '');
  assert.equal(r.err.split('\n').length, 1);
  assert.match(
    r.err,
    new RegExp(
      `^baton: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: /expression mapping broken v1 does not compile`,
    ),
  );
  const missing = baton(['mappings', 'test', join(dir, 'nowhere')]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /no such file or folder/);
  assert.ok(readFileSync(file, 'utf8').length > 0);
});
