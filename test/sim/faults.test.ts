import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/index.js';
import { SYSTEM_NAMES } from '../../src/sim/index.js';
import { get, type Problem, post, simulator } from './fixture.js';

const sim = await simulator({ seed: 7 });
const setFaults = async (file: unknown) => {
  const r = await post(sim, 'erp', '/_sim/faults', file);
  assert.equal(r.status, 200, JSON.stringify(r.body));
};
const sku = sim.estate.skus[0]!.sku;

test('every system answers its health route with its name and the seed', async () => {
  for (const name of SYSTEM_NAMES) {
    const r = await get(sim, name, '/health');
    assert.equal(r.status, 200, name);
    assert.equal(r.body.system, name);
    assert.equal(r.body.status, 'up');
    assert.equal(r.body.seed, '7');
  }
  const listed = await get<{ systems: Record<string, string> }>(sim, 'wms', '/_sim/systems');
  assert.deepEqual(Object.keys(listed.body.systems).sort(), [...SYSTEM_NAMES].sort());
});

test('configured latency is added to every answer of that system only', async () => {
  await setFaults({ oms: { latencyMs: 250 } });
  try {
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const r = await get(sim, 'oms', '/reservations/RSV-NONE');
      const took = performance.now() - t0;
      assert.equal(r.status, 404);
      assert.ok(took >= 240, `answer ${i} took ${took.toFixed(0)} ms`);
    }
    const view = await get<Record<string, { latencyMs: number }>>(sim, 'oms', '/_sim/faults');
    assert.equal(view.body.oms!.latencyMs, 250);
    assert.equal(view.body.erp!.latencyMs, 0);
  } finally {
    await setFaults({ oms: { latencyMs: 0 } });
  }
});

test('an error rate produces errors at roughly that rate, before any effect', async () => {
  await setFaults({ wms: { errorRate: 0.3 } });
  const statuses: number[] = [];
  try {
    for (let i = 0; i < 300; i++) {
      const r = await get<Problem>(sim, 'wms', `/pick-tasks?location=DC-1`);
      statuses.push(r.status);
      if (r.status >= 500) {
        assert.ok([500, 502, 503].includes(r.status));
        assert.equal(r.body.type, 'urn:baton:sim:wms:fault');
      } else assert.equal(r.status, 200);
    }
  } finally {
    await setFaults({ wms: { errorRate: 0 } });
  }
  const errors = statuses.filter((s) => s >= 500).length;
  assert.ok(errors > 45 && errors < 135, `${errors} of 300 failed at a 30% error rate`);
  const stats = (await get<Record<string, { stats: { errors: number } }>>(sim, 'wms', '/_sim/faults')).body
    .wms!.stats;
  assert.equal(stats.errors, errors);
  for (let i = 0; i < 20; i++)
    assert.equal((await get(sim, 'wms', '/pick-tasks')).status, 200, 'errors off again');
});

test('an outage window answers 503 with Retry-After during it and serves again after', async () => {
  const clock = new ManualClock(Date.parse('2026-03-02T09:00:00Z'));
  const own = await simulator({
    seed: 7,
    systems: ['erp', 'oms'],
    clock,
    faults: { erp: { outages: [{ start: '2026-03-02T10:00:00Z', end: '2026-03-02T10:30:00Z' }] } },
  });
  const price = () => get<Problem>(own, 'erp', `/prices/${sku}`);
  assert.equal((await price()).status, 200, 'before the window');
  clock.advance(65 * 60_000); // 10:05
  const down = await price();
  assert.equal(down.status, 503);
  assert.equal(down.body.type, 'urn:baton:sim:erp:outage');
  assert.equal(down.headers.get('retry-after'), String(25 * 60));
  assert.equal((await get(own, 'erp', '/health')).status, 503, 'health follows the outage');
  assert.equal((await get(own, 'oms', '/health')).status, 200, 'other systems are up');
  clock.advance(30 * 60_000); // 10:35
  assert.equal((await price()).status, 200, 'after the window');
  assert.equal((await get(own, 'erp', '/health')).status, 200);
});

test('a timed-out request was applied: the retry with its key gets the answer, applied once', async () => {
  const location = 'DC-2';
  const before = ((await get(sim, 'erp', `/stock/${sku}?location=${location}`)).body.onHand as number) ?? 0;
  await setFaults({ erp: { timeoutRate: 1, timeoutHoldMs: 50 } });
  const body = { movementType: 'receipt', location, lines: [{ sku, qty: 4 }] };
  const headers = { 'idempotency-key': 'timeout-retry-1' };
  await assert.rejects(post(sim, 'erp', '/goods-movements', body, headers), 'the answer never comes');
  await setFaults({ erp: { timeoutRate: 0 } });
  const retry = await post(sim, 'erp', '/goods-movements', body, headers);
  assert.equal(retry.status, 201);
  assert.equal(retry.headers.get('idempotent-replayed'), 'true');
  const after = (await get(sim, 'erp', `/stock/${sku}?location=${location}`)).body.onHand;
  assert.equal(after, before + 4);
});

test('bad fault settings are refused whole, naming the setting', async () => {
  const r = await post<Problem>(sim, 'erp', '/_sim/faults', {
    crm: { latencyMs: 5 },
    erp: { errorRate: 1.5 },
  });
  assert.equal(r.status, 400);
  assert.match(r.body.detail, /\/erp\/errorRate/);
  const unknown = await post<Problem>(sim, 'erp', '/_sim/faults', { ledger: { latencyMs: 5 } });
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.detail, /\/ledger is not a known property/);
  const view = await get<Record<string, { latencyMs: number }>>(sim, 'erp', '/_sim/faults');
  assert.equal(view.body.crm!.latencyMs, 0, 'nothing was applied');
});
