import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Type } from '@sinclair/typebox';
import {
  Connectors,
  defineConnector,
  FAILURE,
  isConnectorFailure,
  operation,
} from '../../src/connectors/index.js';
import { ApplicationFailure, ConfigError, compileConfig, ValidationError } from '../../src/core/index.js';
import { defineWorkflow } from '../../src/engine/index.js';
import { openSqliteStore } from '../../src/store/index.js';
import { eventually, sleep, startEngine, tempDbPath } from '../helpers.js';
import { sdkFixture } from './fixture.js';

/** The failure a promise rejects with. */
async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await p;
  } catch (err) {
    assert.ok(isConnectorFailure(err), `a connector failure, got ${err}`);
    return err;
  }
  assert.fail('the call succeeded');
}

describe('connector calls', () => {
  test('a call validates its output and forwards the idempotency key', async () => {
    const { system, client } = await sdkFixture();
    const out = await client.call('place', { orderId: 'SO-1', qty: 2 }, { idempotencyKey: 'run-1:0' });
    assert.deepEqual(out, { ok: true, key: 'run-1:0' });
    assert.equal(system.received.length, 1);
    assert.deepEqual(system.received[0]!.body, { orderId: 'SO-1', qty: 2 });
    assert.equal(system.received[0]!.idempotencyKey, 'run-1:0');
    // without a key the client makes one, so its own retries still share it
    await client.call('get', { orderId: 'SO 1' });
    assert.equal(system.received[1]!.path, '/orders/SO%201');
    assert.ok(system.received[1]!.idempotencyKey);
  });

  test('retryable failures are retried with the same key; the last attempt succeeds', async () => {
    const { system, client, connectors, store } = await sdkFixture();
    let n = 0;
    system.answer = (r) =>
      ++n <= 2
        ? { status: 503, body: { title: 'Service Unavailable' } }
        : { status: 201, body: { ok: true, key: r.idempotencyKey } };
    const out = await client.call('place', { orderId: 'SO-2', qty: 1 }, { idempotencyKey: 'k-retry' });
    assert.equal(out.key, 'k-retry');
    assert.deepEqual(
      system.received.map((r) => r.idempotencyKey),
      ['k-retry', 'k-retry', 'k-retry'],
    );
    await connectors.close();
    const records = await store.connectors.listCalls({ idempotencyKey: 'k-retry' });
    assert.deepEqual(
      records.reverse().map((r) => [r.attempt, r.outcome, r.status]),
      [
        [1, 'failed', 503],
        [2, 'failed', 503],
        [3, 'ok', undefined],
      ],
    );
    assert.deepEqual(await store.connectors.listDeadLetters({}), []);
  });

  test('a 422 is not retried: it is a rejection carrying the problem details, and is dead-lettered', async () => {
    const { system, client, connectors } = await sdkFixture();
    const problem = {
      type: 'urn:shop:out-of-range',
      title: 'Unprocessable',
      status: 422,
      detail: 'qty over 99',
    };
    system.answer = () => ({ status: 422, body: problem });
    const failure = await failureOf(
      client.call('place', { orderId: 'SO-3', qty: 500 }, { idempotencyKey: 'k-422' }),
    );
    assert.equal(system.received.length, 1);
    assert.equal(failure.type, FAILURE.rejected);
    assert.equal(failure.retryable, false);
    assert.equal(failure.details?.status, 422);
    assert.deepEqual(failure.details?.problem, problem);
    assert.match(failure.message, /shop place answered 422: qty over 99/);
    const [held] = await connectors.dlq.list();
    assert.equal(held?.idempotencyKey, 'k-422');
    assert.deepEqual(held?.payload, { orderId: 'SO-3', qty: 500 });
    assert.equal(held?.error.type, FAILURE.rejected);
    assert.equal(held?.attempts.length, 1);
  });

  test('each attempt has its own time limit', async () => {
    const { system, client } = await sdkFixture({ timeoutMs: 150, maxAttempts: 2 });
    system.answer = () => ({ status: 200, body: { ok: true }, delayMs: 3000 });
    const started = Date.now();
    const failure = await failureOf(
      client.call('place', { orderId: 'SO-4', qty: 1 }, { idempotencyKey: 'k-slow' }),
    );
    assert.equal(failure.type, FAILURE.timeout);
    assert.equal(failure.retryable, true);
    assert.equal(system.requestsFor('k-slow').length, 2);
    assert.ok(Date.now() - started < 2500, 'the call gave up long before the system answered');
  });

  test('a 429 waits as long as Retry-After says; a longer wait is left to the engine', async () => {
    const { system, client } = await sdkFixture({ maxRetryDelayMs: 2000 });
    let n = 0;
    system.answer = () =>
      ++n === 1
        ? { status: 429, headers: { 'retry-after': '1' }, body: { title: 'Too Many Requests' } }
        : { status: 200, body: { ok: true } };
    await client.call('place', { orderId: 'SO-5', qty: 1 }, { idempotencyKey: 'k-429' });
    const [first, second] = system.requestsFor('k-429');
    assert.ok(second!.at - first!.at >= 900, `waited ${second!.at - first!.at} ms`);

    system.answer = () => ({ status: 429, headers: { 'retry-after': '60' } });
    const failure = await failureOf(
      client.call('place', { orderId: 'SO-6', qty: 1 }, { idempotencyKey: 'k-429b' }),
    );
    assert.equal(system.requestsFor('k-429b').length, 1);
    assert.equal(failure.type, FAILURE.rateLimited);
    assert.equal(failure.nextRetryDelayMs, 60_000);
  });

  test('connection refused is retryable; bad input is refused before any request', async () => {
    const { system, client } = await sdkFixture({ maxAttempts: 2 });
    await assert.rejects(client.call('place', { orderId: '', qty: 0 }), ValidationError);
    assert.equal(system.received.length, 0);
    await system.down();
    const failure = await failureOf(client.call('place', { orderId: 'SO-7', qty: 1 }));
    assert.equal(failure.type, FAILURE.unavailable);
    assert.equal(failure.retryable, true);
    assert.match(failure.message, /ECONNREFUSED/);
  });

  test('an answer that does not match the output schema is a non-retryable failure', async () => {
    const { system, client } = await sdkFixture();
    system.answer = () => ({ status: 200, body: { ok: 'yes' } });
    const failure = await failureOf(client.call('place', { orderId: 'SO-8', qty: 1 }));
    assert.equal(failure.type, FAILURE.invalidResponse);
    assert.equal(failure.retryable, false);
    assert.equal(system.received.length, 1);
    assert.match(failure.message, /\/ok/);
  });

  test('the breaker opens after consecutive failures, refuses calls, and closes once the system answers', async () => {
    const { system, client, connectors, store } = await sdkFixture({
      maxAttempts: 1,
      breakerThreshold: 3,
      breakerHalfOpenMs: 300,
    });
    system.answer = () => ({ status: 503 });
    for (let i = 0; i < 3; i++) await failureOf(client.call('place', { orderId: `B-${i}`, qty: 1 }));
    assert.equal(client.breakerState, 'open');
    const refused = await failureOf(client.call('place', { orderId: 'B-refused', qty: 1 }));
    assert.equal(refused.type, FAILURE.circuitOpen);
    assert.equal(refused.retryable, true);
    assert.equal(system.received.length, 3, 'no request while the breaker is open');
    system.answer = () => ({ status: 200, body: { ok: true } });
    await sleep(350);
    await client.call('place', { orderId: 'B-back', qty: 1 });
    assert.equal(client.breakerState, 'closed');
    await connectors.close();
    const outcomes = (await store.connectors.listCalls({ system: 'shop' })).reverse().map((r) => r.outcome);
    assert.deepEqual(outcomes, ['failed', 'failed', 'failed', 'rejected', 'ok']);
  });

  test('bulkhead and rate limit hold under load', async () => {
    const { system, client } = await sdkFixture({ maxConcurrent: 3, perSecond: 20 });
    system.answer = () => ({ status: 200, body: { ok: true }, delayMs: 30 });
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => client.call('place', { orderId: `L-${i}`, qty: 1 })),
    );
    const elapsed = Date.now() - started;
    assert.equal(system.received.length, 50);
    assert.ok(system.maxInFlight <= 3, `at most 3 at once, saw ${system.maxInFlight}`);
    // a full bucket of 20 goes at once, the other 30 at 20 a second: at least 1.5 s
    assert.ok(elapsed >= 1200, `50 calls at 20/s took ${elapsed} ms`);
    const times = system.received.map((r) => r.at).sort((a, b) => a - b);
    const busiest = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
    assert.ok(busiest <= 42, `at most a bucket and a second's worth in any second, saw ${busiest}`);
  });

  test('call records feed the health view of each system', async () => {
    const { system, client, connectors } = await sdkFixture({ maxAttempts: 1 });
    for (let i = 0; i < 8; i++) await client.call('place', { orderId: `H-${i}`, qty: 1 });
    system.answer = () => ({ status: 500, body: { detail: 'database locked' } });
    await failureOf(client.call('place', { orderId: 'H-err', qty: 1 }));
    await connectors.close();
    const [health] = await connectors.health();
    assert.equal(health?.system, 'shop');
    assert.equal(health?.calls, 9);
    assert.equal(health?.failures, 1);
    assert.ok(Math.abs(health!.errorRate - 1 / 9) < 1e-9);
    assert.equal(health?.status, 'degraded');
    assert.equal(health?.breaker, 'closed');
    assert.ok(health?.p50Ms !== undefined && health.p99Ms !== undefined && health.p99Ms >= health.p50Ms);
    assert.ok(health?.lastSuccessAt && health.lastErrorAt && health.lastErrorAt >= health.lastSuccessAt);
    assert.match(health?.lastError ?? '', /500: database locked/);
    const probe = await connectors.probe('shop');
    assert.equal(probe.ok, true);
  });

  test('connectors without an HTTP base: typed operations of their own, with a health check', async () => {
    const store = openSqliteStore({ path: tempDbPath(), durability: 'normal' });
    let calls = 0;
    const ledger = defineConnector({
      system: 'ledger',
      operations: {
        post: operation({
          input: Type.Object({ amount: Type.Number() }),
          output: Type.Object({ id: Type.String() }),
          async invoke(input, ctx) {
            calls++;
            if (ctx.attempt === 1) throw ApplicationFailure.retryable('ledger busy');
            return { id: `L-${input.amount}-${ctx.idempotencyKey}` };
          },
        }),
      },
      health: async () => {},
    });
    const connectors = new Connectors({
      store,
      definitions: [ledger as never],
      settings: { ledger: { retryDelayMs: 10 } },
    });
    const out = await connectors.client(ledger).call('post', { amount: 5 }, { idempotencyKey: 'x' });
    assert.equal(out.id, 'L-5-x');
    assert.equal(calls, 2);
    await connectors.close();
    await store.close();
  });
});

describe('connector configuration', () => {
  test('settings are checked with one clear line each', () => {
    assert.throws(
      () => compileConfig({ connectors: { erp: { baseUrl: 'ftp://x' } } }),
      /connectors\.erp\.baseUrl must be an http/,
    );
    assert.throws(
      () => compileConfig({ connectors: { erp: { timeoutMs: 0 } } }),
      /connectors\.erp\.timeoutMs must be a positive integer/,
    );
    assert.throws(
      () => compileConfig({ connectors: { erp: { timeout: 5 } as never } }),
      /unknown setting "connectors\.erp\.timeout"/,
    );
    assert.throws(
      () => compileConfig({ connectors: { erp: { perSecond: -1 } } }),
      /perSecond must be a positive number/,
    );
    const cfg = compileConfig({ connectors: { erp: { baseUrl: 'http://erp:8081', maxConcurrent: 5 } } });
    assert.equal(cfg.connectors.erp?.maxConcurrent, 5);
  });

  test('a setting for a system no connector serves is refused', () => {
    const store = openSqliteStore({ path: tempDbPath(), durability: 'normal' });
    assert.throws(
      () => new Connectors({ store, settings: { ledger: { baseUrl: 'http://x' } } }),
      (err: unknown) =>
        err instanceof ConfigError &&
        /no connector for system "ledger" \(known: erp, oms, wms, pos, ecommerce, crm, finance, suppliers\)/.test(
          err.message,
        ),
    );
    void store.close();
  });
});

describe('connectors inside workflow steps', () => {
  const flaky = defineWorkflow({
    name: 'test.connector-step',
    version: 1,
    input: Type.Object({ orderId: Type.String() }),
    async run(ctx, input) {
      const { client } = env!;
      return ctx.step('place', (info) => client.call('place', { orderId: input.orderId, qty: 1 }, info), {
        retry: { maxAttempts: 3, initialInterval: '50ms' },
      });
    },
  });
  let env: Awaited<ReturnType<typeof sdkFixture>> | undefined;

  test('the engine retries a retryable failure durably; only the last attempt dead-letters', async () => {
    env = await sdkFixture({ maxAttempts: 2 });
    const { engine } = startEngine([flaky], { path: tempDbPath() });
    let n = 0;
    env.system.answer = (r) =>
      ++n <= 3 ? { status: 503 } : { status: 200, body: { ok: true, key: r.idempotencyKey } };
    const run = await engine.startRun(flaky, { orderId: 'SO-E1' });
    const done = await engine.waitForRun(run.id);
    assert.equal(done.status, 'completed');
    // 2 client attempts in each of 2 step attempts, all under the step's key
    const keys = env.system.received.map((r) => r.idempotencyKey);
    assert.deepEqual(keys, Array(4).fill(`${run.id}:0`));
    assert.deepEqual(await env.connectors.dlq.list(), []);

    env.system.answer = () => ({ status: 503 });
    const failing = await engine.startRun(flaky, { orderId: 'SO-E2' });
    const failed = await engine.waitForRun(failing.id);
    assert.equal(failed.status, 'failed');
    const held = await eventually(async () => (await env!.connectors.dlq.list()).at(0));
    assert.equal(held.idempotencyKey, `${failing.id}:0`);
    // every attempt of all three step attempts is kept with the entry
    assert.equal(held.attempts.length, 6);

    env.system.answer = () => ({ status: 422, body: { detail: 'unknown order' } });
    const rejected = await engine.startRun(flaky, { orderId: 'SO-E3' });
    assert.equal((await engine.waitForRun(rejected.id)).status, 'failed');
    assert.equal(
      env.system.requestsFor(`${rejected.id}:0`).length,
      1,
      'a rejection is not retried by anyone',
    );
  });
});
