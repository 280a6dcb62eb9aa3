import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { connect, type JetStreamManager } from 'nats';
import {
  Bus,
  type BusOptions,
  consumerName,
  defaultNatsSettings,
  INBOUND_DEAD_LETTER,
  NatsLink,
  NatsTransport,
} from '../../src/bus/index.js';
import { connectorsFromConfig } from '../../src/connectors/index.js';
import { silentLogger } from '../../src/core/index.js';
import { defineWorkflow, type Engine } from '../../src/engine/index.js';
import { eventually, startEngine } from '../helpers.js';
import { emitter } from './fixtures.js';
import { NATS_URL, natsScope, natsTestOptions } from './nats-helpers.js';

const options = await natsTestOptions();
const scope = natsScope('bus');

const waiter = defineWorkflow({
  name: 'test.waiter',
  version: 1,
  input: Type.Object({ key: Type.String() }),
  async run(ctx, input) {
    const e = await ctx.waitForEvent('item.added', { match: { key: input.key, i: 0 }, timeout: '1h' });
    return { eventId: e?.id };
  },
});

const record = defineWorkflow({
  name: 'test.record',
  version: 1,
  input: Type.Object({ key: Type.String(), i: Type.Integer() }),
  async run() {
    return 'recorded';
  },
});

let consumers = 0;
/** A bus on this file's stream; each call gets its own durable consumer unless one is named. */
function busFor(engine: Engine, extra: Partial<NonNullable<BusOptions['nats']>> = {}): Bus {
  return new Bus({
    engine,
    relay: { pollIntervalMs: 100, retryMinMs: 20, retryMaxMs: 200 },
    nats: {
      url: NATS_URL,
      ...scope,
      inbound: { durable: `c${++consumers}`, ackWaitMs: 5_000, retryMinMs: 10, retryMaxMs: 50 },
      leadership: false,
      ...extra,
    },
  });
}

async function manager(): Promise<{ jsm: JetStreamManager; close: () => Promise<void> }> {
  const nc = await connect({ servers: NATS_URL });
  return { jsm: await nc.jetstreamManager(), close: () => nc.close() };
}

test('publish and consume round trip: CloudEvents on baton subjects, waits resumed', options, async (t) => {
  const { engine } = startEngine([emitter, waiter]);
  const bus = await busFor(engine).start();
  t.after(() => bus.stop());
  const wait = await engine.startRun(waiter, { key: 'RT-1' });
  await engine.waitForRun((await engine.startRun(emitter, { key: 'RT-1', count: 2 })).id);
  const done = await engine.waitForRun(wait.id, 15_000);
  const [first] = await engine.store.readOutbox({});
  assert.deepEqual(done.output, { eventId: first?.id });

  const { jsm, close } = await manager();
  t.after(close);
  const stored = await eventually(async () => {
    const info = await jsm.streams.info(scope.stream);
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(scope.stream, { seq }).catch(() => undefined);
      if (m?.header.get('Nats-Msg-Id') === first?.id) return m;
    }
    return undefined;
  }, 10_000);
  assert.equal(stored.subject, `${scope.subjectPrefix}.item.added.RT-1`);
  const ce = stored.json<Record<string, unknown>>();
  assert.equal(ce.specversion, '1.0');
  assert.equal(ce.id, first?.id);
  assert.equal(ce.type, 'com.baton.retail.item.added');
  assert.equal(ce.subject, 'RT-1');
  assert.equal(ce.datacontenttype, 'application/json');
  assert.deepEqual(ce.data, { key: 'RT-1', i: 0 });
  assert.match(String(ce.source), /^\/baton\/runs\//);
  assert.ok(Number.isFinite(Date.parse(String(ce.time))));
});

test('the server drops a republished event id within its duplicate window', options, async (t) => {
  const link = await NatsLink.open({ ...defaultNatsSettings, url: NATS_URL, ...scope }, silentLogger);
  t.after(() => link.close());
  const transport = new NatsTransport(link);
  const before = (await link.jsm.streams.info(scope.stream)).state.messages;
  const event = {
    id: `dup-${Date.now()}`,
    type: 'item.added',
    subject: 'D-1',
    time: Date.now(),
    data: { i: 0 },
  };
  await transport.publish(event);
  await transport.publish(event);
  await transport.publish({ ...event, data: { i: 'changed' } });
  assert.equal((await link.jsm.streams.info(scope.stream)).state.messages, before + 1);
  assert.equal(transport.duplicates, 2);
});

test('a message delivered twice is applied once, and a trigger starts one run', options, async (t) => {
  const { engine } = startEngine([record]);
  const applied: string[] = [];
  // a filter on one type and one key: this consumer sees only what this test publishes
  const inbound = { durable: 'twice', subjects: [`${scope.subjectPrefix}.item.added.T-1`] };
  const bus = busFor(engine, { inbound }).trigger('item.added', record, {
    input: (e) => e.data as { key: string; i: number },
  });
  bus.subscribe('item.added', (e, info) => {
    if (!info.duplicate) applied.push(e.id);
  });
  await bus.start();
  t.after(() => bus.stop());

  const nc = await connect({ servers: NATS_URL });
  t.after(() => nc.close());
  const js = nc.jetstream();
  const ce = (id: string, i: number) =>
    JSON.stringify({
      specversion: '1.0',
      id,
      type: 'com.baton.retail.item.added',
      source: 'test',
      subject: 'T-1',
      data: { key: 'T-1', i },
    });
  // different message ids get past the server's dedupe: the consumer sees every copy
  await js.publish(`${scope.subjectPrefix}.item.added.T-1`, ce('twice-1', 0), { msgID: 'm-1' });
  await js.publish(`${scope.subjectPrefix}.item.added.T-1`, ce('twice-1', 0), { msgID: 'm-2' });
  await js.publish(`${scope.subjectPrefix}.item.added.T-1`, ce('twice-2', 1), { msgID: 'm-3' });
  await eventually(() => (bus.stats().inbound?.received ?? 0) >= 3, 10_000, 'three deliveries');
  const stats = bus.stats().inbound;
  assert.equal(stats?.applied, 2);
  assert.equal(stats?.duplicates, 1);
  assert.deepEqual(applied, ['twice-1', 'twice-2']);
  const runs = await engine.searchRuns({ workflow: 'test.record' });
  assert.deepEqual(runs.map((r) => r.idempotencyKey).sort(), [
    'event:twice-1:test.record',
    'event:twice-2:test.record',
  ]);
});

test(
  'a message redelivered by the server after a consumer stopped mid-way is applied once',
  options,
  async (t) => {
    const { engine } = startEngine([emitter, record]);
    const inbound = {
      durable: 'redelivery',
      subjects: [`${scope.subjectPrefix}.item.added.R-1`],
      ackWaitMs: 5_000,
      retryMinMs: 10,
      retryMaxMs: 50,
    };
    let healthy = false;
    const make = () => {
      const bus = busFor(engine, { inbound }).trigger('item.added', record, {
        input: (e) => e.data as { key: string; i: number },
      });
      bus.subscribe('item.added', () => {
        if (!healthy) throw new Error('downstream not ready');
      });
      return bus;
    };
    const first = await make().start();
    await engine.waitForRun((await engine.startRun(emitter, { key: 'R-1', count: 1 })).id);
    // the event was recorded and the run started, but the subscriber failed: no ack yet
    await eventually(() => (first.stats().inbound?.retries ?? 0) >= 1, 10_000, 'a failed attempt');
    await first.stop();

    healthy = true;
    const second = await make().start();
    t.after(() => second.stop());
    await eventually(() => (second.stats().inbound?.received ?? 0) >= 1, 15_000, 'the redelivery');
    // (the server's own redelivery flag is not asserted: a nak sent after the pull ended resets it)
    const stats = second.stats().inbound;
    assert.equal(stats?.duplicates, 1);
    assert.equal(stats?.applied, 0);
    assert.equal((await engine.searchRuns({ workflow: 'test.record' })).length, 1);
  },
);

test('triggers start exactly one run per event across producer and consumer', options, async (t) => {
  const producer = startEngine([emitter]);
  const consumer = startEngine([record]);
  const out = await busFor(producer.engine, { inbound: false }).start();
  t.after(() => out.stop());
  const filter = `${scope.subjectPrefix}.order.placed.*`;
  const inb = await busFor(consumer.engine, { inbound: { durable: 'orders', subjects: [filter] } })
    .trigger('order.placed', record, { input: (e) => e.data as { key: string; i: number } })
    .start();
  t.after(() => inb.stop());

  const keys = ['O-1', 'O-2', 'O-3', 'O-4'];
  for (const key of keys) await producer.engine.startRun(emitter, { key, count: 5, type: 'order.placed' });
  const runs = await eventually(
    async () => {
      const r = await consumer.engine.searchRuns({ workflow: 'test.record', limit: 100 });
      return r.length >= 20 ? r : undefined;
    },
    15_000,
    '20 triggered runs',
  );
  const ids = (await producer.store.readOutbox({ limit: 100 })).map((o) => `event:${o.id}:test.record`);
  assert.deepEqual(runs.map((r) => r.idempotencyKey).sort(), ids.sort());
  // the producer's relay publishes everything again (as after a crash before marking): nothing new starts
  await Promise.all(
    (await producer.store.readOutbox({ limit: 100 })).map((o) =>
      inb.receive({ id: o.id, type: o.type, time: o.createdAt, data: o.data }),
    ),
  );
  assert.equal((await consumer.engine.searchRuns({ workflow: 'test.record', limit: 100 })).length, 20);
});

test(
  'a malformed message is terminated and quarantined with its reason, the next one still applies',
  options,
  async (t) => {
    const { engine } = startEngine([record]);
    const bus = await busFor(engine, {
      inbound: { durable: 'junk', subjects: [`${scope.subjectPrefix}.junk.>`] },
    }).start();
    t.after(() => bus.stop());
    const nc = await connect({ servers: NATS_URL });
    t.after(() => nc.close());
    const js = nc.jetstream();
    await js.publish(`${scope.subjectPrefix}.junk.a._`, 'not json at all');
    await js.publish(
      `${scope.subjectPrefix}.junk.b._`,
      JSON.stringify({ specversion: '1.0', type: 'x', source: 's' }),
    );
    await js.publish(
      `${scope.subjectPrefix}.junk.c._`,
      JSON.stringify({ specversion: '1.0', id: 'fine-1', type: 'fine', source: 's', data: {} }),
    );
    await eventually(() => bus.stats().inbound?.applied === 1, 10_000, 'the good message');
    // newest first, kept in the store: the text that did not parse, the value that was not a CloudEvent
    const [missingId, notJson] = await bus.quarantine.list({ status: 'held' });
    assert.match(notJson?.reason ?? '', /not JSON/);
    assert.equal(notJson?.payload, 'not json at all');
    assert.equal(notJson?.origin, `nats:${scope.subjectPrefix}.junk.a._`);
    assert.match(missingId?.reason ?? '', /\/id is required/);
    assert.deepEqual(missingId?.payload, { specversion: '1.0', type: 'x', source: 's' });
    assert.ok(missingId?.issues.some((i) => i.path === '/id'));
    assert.equal(missingId?.type, 'x');
    assert.equal(missingId?.source, 's');
    assert.equal(bus.stats().quarantined, 2);
    assert.equal((await engine.deliverEvent({ id: 'fine-1', type: 'fine', data: {} })).duplicate, true);
    // terminated, so the server neither waits for an ack nor redelivers them
    const { jsm, close } = await manager();
    t.after(close);
    const info = await jsm.consumers.info(
      scope.stream,
      consumerName('junk', `${scope.subjectPrefix}.junk.>`),
    );
    assert.equal(info.num_ack_pending, 0);
    assert.equal(info.num_redelivered, 0);
  },
);

test(
  'with two relays on one database only the leader publishes; a standby takes over',
  options,
  async (t) => {
    const a = startEngine([emitter]);
    const b = startEngine([], { path: a.path, start: false });
    const relayA = await busFor(a.engine, {
      inbound: false,
      leadership: { owner: 'relay-a', ttlMs: 3_000 },
    }).start();
    await eventually(() => relayA.stats().relay?.leader, 5_000, 'relay a to lead');
    const relayB = await busFor(b.engine, {
      inbound: false,
      leadership: { owner: 'relay-b', ttlMs: 3_000 },
    }).start();
    t.after(() => relayB.stop());

    await a.engine.waitForRun((await a.engine.startRun(emitter, { key: 'L-1', count: 5 })).id);
    await eventually(() => relayA.stats().relay?.published === 5, 10_000, 'relay a to publish');
    assert.equal(relayB.stats().relay?.published, 0);
    assert.equal(relayB.stats().relay?.leader, false);

    await relayA.stop(); // gives the claim up
    await a.engine.waitForRun((await a.engine.startRun(emitter, { key: 'L-2', count: 5 })).id);
    await eventually(() => relayB.stats().relay?.published === 5, 10_000, 'relay b to take over');
    assert.equal(relayA.stats().relay, undefined);
  },
);

test(
  'an event that keeps failing goes to the dead-letter queue after its attempts; a replay applies it once',
  options,
  async (t) => {
    const { engine } = startEngine([record]);
    const subject = `${scope.subjectPrefix}.item.added.DLQ-1`;
    let broken = true;
    const seen: string[] = [];
    const bus = busFor(engine, {
      inbound: {
        durable: 'dead-letters',
        subjects: [subject],
        maxAttempts: 3,
        ackWaitMs: 5_000,
        retryMinMs: 10,
        retryMaxMs: 20,
      },
    }).trigger('item.added', record, { input: (e) => e.data as { key: string; i: number } });
    // a consumer of the event that is down: a passing failure, every time
    bus.subscribe('item.added', (e) => {
      if (broken) throw new Error('the warehouse feed is unreachable');
      seen.push(e.id);
    });
    await bus.start();
    t.after(() => bus.stop());
    const connectors = connectorsFromConfig(engine.config, engine.store);
    t.after(() => connectors.close());
    connectors.dlq.onMessage(INBOUND_DEAD_LETTER.system, INBOUND_DEAD_LETTER.operation, (p) =>
      bus.applyDeadLetter(p),
    );

    const nc = await connect({ servers: NATS_URL });
    t.after(() => nc.close());
    const event = {
      specversion: '1.0',
      id: 'dlq-1',
      type: 'com.baton.retail.item.added',
      source: 'test',
      subject: 'DLQ-1',
      data: { key: 'DLQ-1', i: 0 },
    };
    await nc.jetstream().publish(subject, JSON.stringify(event), { msgID: 'dlq-1' });

    const [entry] = await eventually(
      async () => {
        const held = await connectors.dlq.list({ system: 'nats' });
        return held.length > 0 ? held : undefined;
      },
      10_000,
      'the dead letter',
    );
    assert.equal(entry?.kind, 'message');
    assert.equal(entry?.status, 'held');
    assert.equal(entry?.idempotencyKey, 'dlq-1');
    assert.deepEqual(entry?.payload, event);
    assert.equal(entry?.attempts.length, 3);
    assert.match(entry!.error.message, /the warehouse feed is unreachable/);
    assert.equal(bus.stats().inbound?.deadLettered, 1);
    // terminated, not redelivered: the consumer stays at one delivery
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(bus.stats().inbound?.received, 1);

    broken = false;
    const { entry: replayed } = await connectors.dlq.replay(entry!.id, 'ops:lena');
    assert.equal(replayed.status, 'replayed');
    assert.deepEqual(seen, ['dlq-1']);
    const runs = await engine.searchRuns({ workflow: 'test.record' });
    assert.deepEqual(
      runs.map((r) => r.idempotencyKey),
      ['event:dlq-1:test.record'],
      'the trigger started its run once, on the first attempt or the replay',
    );
  },
);
