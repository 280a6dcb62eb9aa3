import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutboxRelay } from '../../src/bus/index.js';
import { eventually, startEngine } from '../helpers.js';
import { emitter, RecordingTransport } from './fixtures.js';

const range = (n: number) => [...Array(n).keys()];

test('the relay publishes committed events in commit order and marks them published', async (t) => {
  const { engine, store } = startEngine([emitter]);
  const transport = new RecordingTransport();
  // a long poll: only the engine's "event.emitted" wake-ups can drive this relay in time
  const relay = new OutboxRelay({
    store,
    transport,
    engine,
    settings: { batchSize: 4, pollIntervalMs: 60_000 },
  });
  relay.start();
  t.after(() => relay.stop(1_000));

  const runs = await Promise.all(['A', 'B', 'C'].map((key) => engine.startRun(emitter, { key, count: 5 })));
  for (const r of runs) await engine.waitForRun(r.id, 10_000);
  await eventually(() => transport.events.length === 15, 10_000, '15 events published');

  const outbox = await store.readOutbox({ limit: 100 });
  assert.deepEqual(
    transport.events.map((e) => e.id).sort(),
    outbox.map((o) => o.id).sort(),
    'every outbox event was published once',
  );
  for (const key of ['A', 'B', 'C']) assert.deepEqual(transport.order(key), range(5), `order of ${key}`);
  await eventually(async () => (await store.readOutbox({ unpublishedOnly: true })).length === 0, 5_000);
  assert.ok(outbox.every((o) => o.publishedAt === undefined || o.publishedAt >= o.createdAt));
  assert.equal(relay.status.snapshot().published, 15);
  assert.equal(await relay.lag(), 0);
  const first = transport.events[0];
  assert.match(first?.source ?? '', /^\/baton\/runs\//);
});

test('a failing transport loses nothing, holds back only the failing subject and keeps its order', async (t) => {
  const { engine, store } = startEngine([emitter]);
  const transport = new RecordingTransport();
  let failuresLeft = 3;
  transport.fail = (e) => {
    const { key, i } = e.data as { key: string; i: number };
    if (key === 'B' && i === 1 && failuresLeft > 0) return failuresLeft-- === 3 ? 'lose-ack' : 'fail';
    return 'ok';
  };
  for (const key of ['A', 'B', 'C'])
    await engine.waitForRun((await engine.startRun(emitter, { key, count: 4 })).id);
  const relay = new OutboxRelay({ store, transport, engine, settings: { retryMinMs: 5, retryMaxMs: 20 } });
  relay.start();
  t.after(() => relay.stop(1_000));

  await eventually(async () => (await store.readOutbox({ unpublishedOnly: true })).length === 0, 10_000);
  assert.equal(failuresLeft, 0);
  for (const key of ['A', 'C']) assert.deepEqual(transport.order(key), range(4));
  // the attempt whose confirmation was lost went out, so B's event 1 was sent twice, with one id
  assert.deepEqual(transport.order('B'), [0, 1, 1, 2, 3]);
  const b1 = transport.events.filter((e) => e.subject === 'B' && (e.data as { i: number }).i === 1);
  assert.equal(new Set(b1.map((e) => e.id)).size, 1);
  const stats = relay.status.snapshot();
  assert.equal(stats.published, 12);
  assert.equal(stats.failed, 3);
  assert.match(stats.lastError ?? '', /transport down/);
});

test('while the transport is down events wait in the outbox; stop() drains what is left', async () => {
  const { engine, store } = startEngine([emitter]);
  const transport = new RecordingTransport();
  let down = true;
  transport.fail = () => (down ? 'fail' : 'ok');
  const relay = new OutboxRelay({
    store,
    transport,
    settings: { pollIntervalMs: 60_000, retryMinMs: 5, retryMaxMs: 10 },
  });
  relay.start();
  await engine.waitForRun((await engine.startRun(emitter, { key: 'K', count: 3 })).id);
  relay.wake();
  await eventually(() => relay.status.snapshot().failed >= 2, 5_000, 'failed attempts');
  assert.equal((await store.readOutbox({ unpublishedOnly: true })).length, 3);
  assert.ok((await relay.lag()) >= 0);
  down = false;
  await relay.stop(5_000);
  assert.deepEqual(transport.order('K'), range(3));
  assert.equal((await store.readOutbox({ unpublishedOnly: true })).length, 0);
});
