import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { connect } from 'nats';
import { Bus } from '../../src/bus/index.js';
import { defineWorkflow } from '../../src/engine/index.js';
import { eventually, sleep, startEngine, tempDir } from '../helpers.js';
import { emitter } from './fixtures.js';
import { freePort, OwnNatsServer, ownServerTestOptions } from './nats-server.js';

const OUTAGE_MS = 10_000;

const record = defineWorkflow({
  name: 'test.record',
  version: 1,
  input: Type.Object({ key: Type.String(), i: Type.Integer() }),
  async run() {
    return 'recorded';
  },
});

test(
  'NATS stopped for 10 s: events wait in the outbox, then arrive once each and in order',
  ownServerTestOptions(),
  async (t) => {
    const server = new OwnNatsServer(await freePort(), join(tempDir('baton-nats-'), 'jetstream'));
    let buses: Bus[] = [];
    // one hook, so the buses stop before the server goes, whatever happens in between
    t.after(async () => {
      for (const b of buses) await b.stop(2_000).catch(() => {});
      await server.kill();
    });
    await server.start();

    const nats = {
      url: server.url,
      stream: 'OUTAGE',
      subjectPrefix: 'outage.events',
      requestTimeoutMs: 1_000,
    };
    const producer = startEngine([emitter]);
    const consumer = startEngine([record]);
    const out = new Bus({
      engine: producer.engine,
      relay: { pollIntervalMs: 200, retryMinMs: 50, retryMaxMs: 500 },
      nats: { ...nats, inbound: false },
    });
    const inb = new Bus({
      engine: consumer.engine,
      relay: { pollIntervalMs: 200 },
      nats: { ...nats, leadership: false, inbound: { durable: 'outage', ackWaitMs: 2_000 } },
    }).trigger('parcel.scanned', record, { input: (e) => e.data as { key: string; i: number } });
    // first applications per event id, and per key the order they came in
    const applied = new Map<string, number>();
    const order = new Map<string, number[]>();
    inb.subscribe('parcel.scanned', (e, info) => {
      if (info.duplicate) return;
      applied.set(e.id, (applied.get(e.id) ?? 0) + 1);
      const { key, i } = e.data as { key: string; i: number };
      order.set(key, [...(order.get(key) ?? []), i]);
    });
    buses = [inb, out];
    await inb.start();
    await out.start();

    const emit = async (keys: string[]) => {
      const runs = await Promise.all(
        keys.map((key) => producer.engine.startRun(emitter, { key, count: 4, type: 'parcel.scanned' })),
      );
      for (const r of runs) await producer.engine.waitForRun(r.id, 20_000);
    };
    const unpublished = async () =>
      (await producer.store.readOutbox({ unpublishedOnly: true, limit: 1_000 })).length;

    await emit(['P-1', 'P-2', 'P-3', 'P-4', 'P-5']);
    await eventually(
      async () => applied.size === 20 && (await unpublished()) === 0,
      20_000,
      'the first 20 events to arrive',
    );

    await server.kill('SIGKILL');
    const killedAt = Date.now();
    await emit(['P-6', 'P-7', 'P-8', 'P-9', 'P-10']);
    await eventually(() => (out.stats().relay?.failed ?? 0) > 0, 20_000, 'the relay to notice the outage');
    assert.equal(await unpublished(), 20, 'the events committed during the outage wait in the outbox');
    assert.equal(applied.size, 20);

    await sleep(Math.max(0, killedAt + OUTAGE_MS - Date.now()));
    await server.start();
    await eventually(async () => applied.size === 40 && (await unpublished()) === 0, 60_000, 'all 40 events');

    const ids = (await producer.store.readOutbox({ limit: 1_000 })).map((o) => o.id);
    assert.deepEqual([...applied.keys()].sort(), [...ids].sort(), 'every event arrived');
    assert.ok(
      [...applied.values()].every((n) => n === 1),
      'no event was applied twice',
    );
    for (const [key, seen] of order) assert.deepEqual(seen, [0, 1, 2, 3], `order of ${key}`);
    const runs = await consumer.engine.searchRuns({ workflow: 'test.record', limit: 100 });
    assert.equal(new Set(runs.map((r) => r.idempotencyKey)).size, 40, 'one triggered run per event');
    for (const id of ids)
      assert.equal(
        (await consumer.engine.deliverEvent({ id, type: 'parcel.scanned', data: {} })).duplicate,
        true,
      );

    // the server kept one copy of each event, though the relay republished those it could not confirm
    const nc = await connect({ servers: server.url });
    const info = await (await nc.jetstreamManager()).streams.info('OUTAGE');
    await nc.close();
    assert.equal(info.state.messages, 40);
    assert.ok((out.stats().relay?.published ?? 0) >= 40);
  },
);
