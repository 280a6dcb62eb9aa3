import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { eventually } from '../helpers.js';
import { apiFixture, cloudEvent, exampleOf } from './fixture.js';

/**
 * Fuzzed request bodies: whatever arrives, the answer is never a 500, and every event answered as
 * accepted can afterwards be read back from the store exactly as it was sent.
 */
const f = await apiFixture({ config: { api: { rateLimits: { admin: 1_000_000 } } } });
const { call, admin, governance, engine } = f;

const json = fc.jsonValue({ maxDepth: 4 });
const attr = fc.oneof(fc.string({ maxLength: 12 }), fc.constant(''), fc.integer(), fc.constant(null), json);
const contentType = fc.constantFrom(
  'application/json',
  'application/cloudevents+json',
  'application/cloudevents-batch+json',
);

/** An event with each attribute either valid or mangled, and data that may or may not fit the contract. */
let n = 0;
const event = fc
  .record({
    type: fc.constantFrom(
      'com.baton.retail.order.created',
      'order.created',
      'com.baton.retail.price.changed',
      'no.such',
    ),
    data: fc.oneof(fc.constant(exampleOf('order.created')), fc.constant(exampleOf('price.changed')), json),
    // half the events keep every attribute intact, so a good share is valid and must be kept
    mangle: fc.oneof(
      fc.constant([] as string[]),
      fc.subarray([
        'specversion',
        'id',
        'source',
        'type',
        'time',
        'subject',
        'dataschema',
        'data',
        'extension',
      ]),
    ),
    junk: attr,
  })
  .map(({ type, data, mangle, junk }) => {
    const e: Record<string, unknown> = { ...cloudEvent('order.created'), id: `fz-${++n}`, type, data };
    for (const k of mangle) {
      if (k === 'extension') e.Bad_Name = junk;
      else e[k] = junk;
    }
    return e;
  });

const accepted: Array<{ source: string; id: string; data: unknown }> = [];

test('fuzzed event posts never fail with a 500, and accepted events are all kept', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(json, event, fc.array(event, { minLength: 1, maxLength: 8 })),
      contentType,
      async (body, type) => {
        const r = await call(admin, 'POST', '/v1/events', JSON.stringify(body), { 'content-type': type });
        assert.ok(r.status < 500, r.text);
        if (r.status !== 202) {
          assert.match(String(r.headers['content-type']), /problem\+json/);
          return;
        }
        const sent = (Array.isArray(body) ? body : [body]) as Array<Record<string, unknown>>;
        for (const res of r.body.results as Array<{
          index: number;
          status: string;
          id: string;
          source: string;
        }>) {
          if (res.status === 'accepted')
            accepted.push({ source: res.source, id: res.id, data: sent[res.index]?.data });
        }
      },
    ),
    { numRuns: 250 },
  );
  assert.ok(accepted.length > 10, `some fuzzed events are valid (${accepted.length})`);
  for (const a of accepted) {
    const kept = await governance.getIngested(a.source, a.id);
    assert.ok(kept, `accepted event ${a.source}/${a.id} is kept`);
    assert.deepEqual(kept.data, a.data);
  }
});

test('fuzzed run, task and contract bodies never fail with a 500', async () => {
  const run = await engine.startRun('test.approval', { role: 'finance', amount: 3 });
  const [task] = await eventually(async () => {
    const l = await engine.listTasks({ runId: run.id });
    return l.length ? l : undefined;
  });
  const targets = [
    '/v1/workflows/test.approval/runs',
    '/v1/workflows/test.waiter/runs',
    `/v1/runs/${run.id}/restart`,
    `/v1/runs/${run.id}/retry`,
    `/v1/tasks/${task!.id}/claim`,
    `/v1/tasks/${task!.id}/delegate`,
    `/v1/tasks/${task!.id}/complete`,
    '/v1/contracts/test.fuzzed/versions',
    '/v1/contracts/order.created/versions',
    '/v1/contracts/diff',
    '/v1/contracts/order.created/deprecate',
    '/v1/keys',
  ];
  const shaped = fc.oneof(
    json,
    fc.record({ input: json, version: json, tags: json }, { requiredKeys: [] }),
    fc.record(
      { outcome: fc.oneof(fc.constantFrom('approve', 'reject'), json), values: json },
      { requiredKeys: [] },
    ),
    fc.record({ from: fc.oneof(fc.integer(), json), to: json, reason: json }, { requiredKeys: [] }),
    fc.record(
      {
        schema: json,
        newSchema: json,
        oldSchema: json,
        type: json,
        mode: json,
        owner: json,
        description: json,
      },
      { requiredKeys: [] },
    ),
    fc.record({ name: json, roles: json, scopes: json, sunsetAt: json }, { requiredKeys: [] }),
  );
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...targets), shaped, async (url, body) => {
      const r = await call(admin, 'POST', url, JSON.stringify(body));
      assert.ok(r.status < 500, `${url} ${JSON.stringify(body)}: ${r.text}`);
      if (r.status >= 400) assert.match(String(r.headers['content-type']), /problem\+json/);
    }),
    { numRuns: 300 },
  );
});
