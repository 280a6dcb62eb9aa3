import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Engine } from '../src/engine/index.js';
import { createDemoSystems, referenceWorkflows } from '../src/retail/index.js';
import { openPostgresStore } from '../src/store/index.js';
import { postgresAvailable, postgresUrl, skipReason } from './backends.js';
import { eventually } from './helpers.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'baton.js');
const schema = `cli_${process.pid}`;
const env = {
  ...process.env,
  BATON_DATABASE_URL: postgresUrl(),
  BATON_DATABASE_SCHEMA: schema,
  BATON_DB: '',
};

function baton(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('baton on PostgreSQL', { skip: skipReason(await postgresAvailable()) }, () => {
  after(async () => {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: postgresUrl() });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  });

  test('baton migrate applies the migrations once, then reports the schema up to date', () => {
    const first = baton('migrate');
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, new RegExp(`applied migrations 1.* schema ${schema} \\(PostgreSQL\\)`));
    const second = baton('migrate');
    assert.match(second.out, /is up to date/);
  });

  test('an unreachable server or a wrong user gives one clear line and exit 1', () => {
    for (const [url, pattern] of [
      [
        'postgres://postgres@127.0.0.1:1/test',
        /^baton: cannot connect to PostgreSQL at 127\.0\.0\.1:1\/test: .*ECONNREFUSED/,
      ],
      [
        'postgres://no_such_role:secret@127.0.0.1:5432/test',
        /^baton: cannot connect to PostgreSQL at 127\.0\.0\.1:5432\/test: .*no_such_role/,
      ],
    ] as const) {
      const r = spawnSync(process.execPath, [BIN, 'runs', 'list'], {
        encoding: 'utf8',
        env: { ...env, BATON_DATABASE_URL: url },
      });
      assert.equal(r.status, 1);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr.trim(), pattern);
      assert.doesNotMatch(r.stderr, /secret/, 'the password is never printed');
    }
  });

  test('two worker processes share the runs started by another process, each run executed by one of them', async () => {
    const workers: ChildProcess[] = [];
    for (let i = 0; i < 2; i++) {
      const w = spawn(process.execPath, [BIN, 'worker', '--concurrency', '16'], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      after(() => w.kill('SIGKILL'));
      workers.push(w);
    }
    const store = await openPostgresStore({ url: postgresUrl(), schema });
    after(() => store.close());
    const wf = referenceWorkflows(createDemoSystems({ latencyMs: 1 }));
    const engine = new Engine({ store, workflows: Object.values(wf) }); // not started: only starts runs
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const run = await engine.startRun(wf.returnRefund, {
        returnId: `RT-${i}`,
        orderId: `SO-${i}`,
        customerId: 'C-1',
        sku: 'SKU-1',
        amount: 20,
        reason: 'size',
      });
      ids.push(run.id);
    }
    // the workers wait for the returned goods; deliver them
    await eventually(
      async () => (await engine.searchRuns({ status: 'waiting', limit: 100 })).length === 40,
      60_000,
      'runs to wait',
    );
    for (let i = 0; i < 40; i++)
      await engine.deliverEvent({ type: 'return.received', data: { returnId: `RT-${i}` } });
    await eventually(
      async () => (await engine.searchRuns({ status: 'completed', limit: 100 })).length === 40,
      60_000,
      'runs to complete',
    );
    const owners = new Set<string>();
    for (const id of ids) {
      const h = await engine.history(id);
      assert.equal(h.filter((x) => x.type === 'run.started').length, 1);
      for (const x of h)
        if (x.type === 'run.started' || x.type === 'run.resumed') owners.add(String(x.data?.owner));
    }
    assert.equal(owners.size, 2, `both workers executed runs: ${[...owners].join(', ')}`);
    for (const w of workers) w.kill('SIGTERM');
    const codes = await Promise.all(workers.map((w) => new Promise((r) => w.on('exit', r))));
    assert.deepEqual(codes, [0, 0]);
  });
});
