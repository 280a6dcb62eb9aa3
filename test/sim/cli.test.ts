import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildEstate, estateJson, SYSTEM_NAMES } from '../../src/sim/index.js';
import { eventually, tempDir } from '../helpers.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'baton.js');
const dir = tempDir('baton-sim-cli-');

function baton(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('baton sim serves every system on loopback and stops cleanly on SIGTERM', async () => {
  const child = spawn(process.execPath, [BIN, 'sim', '--port', '0', '--seed', '7'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  after(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await eventually(() => out.includes('press Ctrl-C'), 60_000, 'the simulator to start');
  const urls = Object.fromEntries(
    [...out.matchAll(/^\s+(\w+)\s+(http:\/\/\S+)$/gm)].map((m) => [m[1], m[2]]),
  );
  assert.deepEqual(Object.keys(urls), [...SYSTEM_NAMES], out);
  assert.match(out, /seed 7/);
  assert.match(out, /120 stores \(north 30, south 30, east 30, west 30\), 3 DCs, 2000 SKUs/);

  const health = (await (await fetch(`${urls.erp}/health`)).json()) as { system: string; seed: string };
  assert.deepEqual([health.system, health.seed], ['erp', '7']);
  const customer = buildEstate({ seed: 7, stores: 4, skus: 4 }).customers[0]!;
  const res = await fetch(`${urls.erp}/customers/${customer.id}`);
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { creditLimit: number }).creditLimit, customer.creditLimit);

  child.kill('SIGTERM');
  assert.equal(await exited, 0, out);
  assert.match(out, /simulator stopped/);
  await assert.rejects(fetch(`${urls.erp}/health`), 'nothing listens any more');
});

test('baton sim --estate-json prints the seeded estate', () => {
  const r = baton('sim', '--estate-json', '--seed', '7', '--stores', '12', '--skus', '100');
  assert.equal(r.code, 0, r.err);
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  assert.equal(sha(r.out.trim()), sha(estateJson(buildEstate({ seed: 7, stores: 12, skus: 100 }))));
  const other = baton('sim', '--estate-json', '--seed', '8', '--stores', '12', '--skus', '100');
  assert.notEqual(sha(other.out.trim()), sha(r.out.trim()));
});

test('baton sim --faults with a bad file exits 2 with one line naming the setting', () => {
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ erp: { latencyMs: 10 }, wms: { errorRate: 2 } }));
  const notJson = join(dir, 'broken.json');
  writeFileSync(notJson, '{ "erp": ');
  const cases: Array<[string[], RegExp]> = [
    [['--faults', bad], /--faults .*bad\.json: faults \/wms\/errorRate /],
    [['--faults', notJson], /broken\.json is not JSON/],
    [['--faults', join(dir, 'missing.json')], /missing\.json cannot be read/],
    [['--systems', 'erp,ledger'], /"ledger" is not a simulated system/],
    [['--port', '70000'], /is not a base port/],
  ];
  for (const [args, pattern] of cases) {
    const r = baton('sim', '--port', '0', ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}${r.err}`);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(r.err.trim(), pattern);
    assert.doesNotMatch(r.out, /http:\/\//, 'nothing was started');
  }
});

test('baton sim --demand prints a line per simulated day', async () => {
  const r = spawn(
    process.execPath,
    [
      BIN,
      'sim',
      '--port',
      '0',
      '--systems',
      'erp',
      '--stores',
      '8',
      '--skus',
      '200',
      '--demand',
      '--demand-days',
      '2',
      '--day-ms',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  after(() => r.kill('SIGKILL'));
  let out = '';
  r.stdout.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => r.on('exit', resolve));
  await eventually(() => out.includes('demand: finished'), 60_000, 'two simulated days');
  const days = out.split('\n').filter((l) => /^\d{4}-\d{2}-\d{2} \w{3}: /.test(l));
  assert.equal(days.length, 2, out);
  assert.match(days[0]!, /^2026-03-02 Mon: [\d,]+ POS sales \([\d,]+ units\), [\d,]+ web orders/);
  assert.match(days[1]!, /^2026-03-03 Tue: /);
  r.kill('SIGINT');
  assert.equal(await exited, 0);
});
