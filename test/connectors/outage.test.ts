import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { Connectors } from '../../src/connectors/index.js';
import { defineWorkflow } from '../../src/engine/index.js';
import { sleep, startEngine } from '../helpers.js';
import { definitions, shop } from './fixture.js';
import { StandIn } from './standin.js';

/** How long the system stays down; the scenario is 30 s. */
const OUTAGE_MS = Number(process.env.BATON_OUTAGE_MS ?? 30_000);

test(`a system down for ${OUTAGE_MS / 1000} s and then back: nothing lost`, {
  timeout: OUTAGE_MS + 60_000,
}, async () => {
  const system = await new StandIn().up();
  after(() => system.down());
  const { engine, store } = startEngine([]);
  const connectors = new Connectors({
    store,
    definitions,
    settings: {
      shop: {
        baseUrl: system.url,
        timeoutMs: 1000,
        maxAttempts: 2,
        retryDelayMs: 50,
        maxRetryDelayMs: 200,
        breakerThreshold: 3,
        breakerHalfOpenMs: 2000,
      },
    },
    recorder: { flushMs: 50 },
  });
  after(() => connectors.close());
  const client = connectors.client(shop);

  // patient runs retry durably for longer than the outage (1 s doubling to 8 s, 8 attempts: over 31 s);
  // impatient ones give up after two step attempts and land in the dead-letter queue
  const stepRetry = (maxAttempts: number) => ({
    maxAttempts,
    initialInterval: Math.min(1000, OUTAGE_MS / 30),
    backoffCoefficient: 2,
    maximumInterval: Math.min(8000, OUTAGE_MS / 3.75),
  });
  const order = (name: string, maxAttempts: number) =>
    defineWorkflow({
      name,
      version: 1,
      input: Type.Object({ orderId: Type.String() }),
      run: (ctx, input) =>
        ctx.step('place', (info) => client.call('place', { orderId: input.orderId, qty: 1 }, info), {
          retry: stepRetry(maxAttempts),
        }),
    });
  const patient = order('test.outage-patient', 8);
  const impatient = order('test.outage-impatient', 2);
  engine.register(patient);
  engine.register(impatient);

  const breakerSeen = new Set<string>();
  const watch = setInterval(() => breakerSeen.add(client.breakerState), 50);
  after(() => clearInterval(watch));

  const started = Date.now();
  await system.down();
  const patientRuns = await Promise.all(
    Array.from({ length: 6 }, (_, i) => engine.startRun(patient, { orderId: `P-${i}` })),
  );
  const impatientRuns = await Promise.all(
    Array.from({ length: 3 }, (_, i) => engine.startRun(impatient, { orderId: `I-${i}` })),
  );
  await sleep(Math.max(0, OUTAGE_MS - (Date.now() - started)));
  await system.up();

  const done = await Promise.all(patientRuns.map((r) => engine.waitForRun(r.id, OUTAGE_MS + 30_000)));
  assert.deepEqual(
    done.map((r) => r.status),
    Array(6).fill('completed'),
  );
  const failed = await Promise.all(impatientRuns.map((r) => engine.waitForRun(r.id, 10_000)));
  assert.deepEqual(
    failed.map((r) => r.status),
    Array(3).fill('failed'),
  );
  assert.ok(Date.now() - started < OUTAGE_MS + 30_000, 'recovered well within the bound');

  // the breaker opened during the outage and closed again once the system answered
  assert.ok(breakerSeen.has('open'), `breaker states seen: ${[...breakerSeen].join(', ')}`);
  assert.equal(client.breakerState, 'closed');
  await connectors.close();
  const records = await store.connectors.listCalls({ system: 'shop', limit: 10_000 });
  assert.ok(
    records.some((r) => r.outcome === 'rejected'),
    'calls were refused while the breaker was open',
  );
  assert.ok(
    records.some((r) => r.outcome === 'failed'),
    'calls were retried while the system was down',
  );

  // every patient order applied exactly once, under its step's key
  for (const r of patientRuns) assert.equal(system.applied.get(`${r.id}:0`), 1, `run ${r.id}`);

  // the dead-letter queue holds exactly what exhausted its retries, and a replay completes each
  const held = await connectors.dlq.list({ status: 'held' });
  assert.deepEqual(held.map((e) => e.idempotencyKey).sort(), impatientRuns.map((r) => `${r.id}:0`).sort());
  for (const e of held) {
    assert.ok(e.attempts.length >= 2, 'the entry keeps every attempt');
    const { entry } = await connectors.dlq.replay(e.id, 'user:ops');
    assert.equal(entry.status, 'replayed');
    assert.equal(system.applied.get(e.idempotencyKey!), 1);
  }
  assert.deepEqual(await connectors.dlq.list({ status: 'held' }), []);
  const [health] = await connectors.health();
  assert.equal(health?.breaker, 'closed');
  assert.ok(health?.lastSuccessAt && health.lastErrorAt);
});
