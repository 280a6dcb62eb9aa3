import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/index.js';
import { postgresAvailable, postgresUrl, skipReason } from '../backends.js';
import { fixture as crashFixture, spawnWorker } from '../crash/fixtures/child.js';
import { sdkFixture } from './fixture.js';
import { StandIn } from './standin.js';

const url = postgresUrl();
const skip = skipReason(await postgresAvailable(url));
const schema = `baton_conn_${process.pid}_${randomBytes(3).toString('hex')}`;
const worker = crashFixture('../../connectors/fixtures/limit-worker.ts');

describe('connectors on PostgreSQL', { skip }, () => {
  after(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  test('bulkhead and rate limit hold across two worker processes', { timeout: 60_000 }, async (t) => {
    const store = await openPostgresStore({ url, schema, pool: { max: 2 } }); // migrates the schema
    await store.close();
    const system = await new StandIn().up();
    after(() => system.down());
    system.answer = () => ({ status: 200, body: { ok: true }, delayMs: 40 });
    const perWorker = 20;
    const workers = [0, 1].map(() => spawnWorker(t, worker, [url, schema, system.url, String(perWorker)]));
    await Promise.all(workers.map((w) => w.waitForLine(/^ready$/, 20_000)));
    const started = Date.now();
    const lines = await Promise.all(workers.map((w) => w.waitForLine(/^(done|failed)/, 45_000)));
    const elapsed = Date.now() - started;
    assert.deepEqual(lines, ['done', 'done'], workers.map((w) => w.stderr()).join('\n'));
    assert.equal(system.received.length, 2 * perWorker);
    assert.ok(system.maxInFlight <= 2, `at most 2 at once across both processes, saw ${system.maxInFlight}`);
    // one shared bucket of 10 a second: 40 calls take at least 3 s (two private buckets would take 1 s)
    assert.ok(elapsed >= 2400, `40 calls at a shared 10/s took ${elapsed} ms`);
    const times = system.received.map((r) => r.at).sort((a, b) => a - b);
    const busiest = Math.max(...times.map((x) => times.filter((u) => u >= x && u < x + 1000).length));
    assert.ok(busiest <= 22, `at most a bucket and a second's worth in any second, saw ${busiest}`);
  });

  test('call records and dead letters are shared by every process on the database', async () => {
    const a = await openPostgresStore({ url, schema, pool: { max: 2 } });
    const b = await openPostgresStore({ url, schema, pool: { max: 2 } });
    after(() => a.close());
    after(() => b.close());
    const { system, client, connectors } = await sdkFixture({ maxAttempts: 1 }, a);
    system.answer = () => ({ status: 503 });
    await assert.rejects(client.call('place', { orderId: 'PG-1', qty: 1 }, { idempotencyKey: 'pg-k1' }));
    await connectors.close();
    const [held] = await b.connectors.listDeadLetters({ system: 'shop' });
    assert.equal(held?.idempotencyKey, 'pg-k1');
    const stats = await b.connectors.callStats({ since: 0, system: 'shop' });
    assert.equal(stats[0]?.failures, 1);
  });
});
