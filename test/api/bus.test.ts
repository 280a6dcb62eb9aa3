import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually } from '../helpers.js';
import { apiFixture, cloudEvent } from './fixture.js';

test('accepted events reach the bus: a trigger starts its workflow once per event', async () => {
  const { call, admin, engine } = await apiFixture({
    bus: (bus) => bus.trigger('order.created', 'test.on-order', { input: (e) => ({ eventId: e.id }) }),
  });
  const ev = cloudEvent('order.created');
  const h = { 'content-type': 'application/cloudevents+json' };
  assert.equal((await call(admin, 'POST', '/v1/events', ev, h)).body.accepted, 1);
  const [run] = await eventually(async () => {
    const runs = await engine.searchRuns({ workflow: 'test.on-order', tags: { eventId: String(ev.id) } });
    return runs.length ? runs : undefined;
  });
  assert.equal((await engine.waitForRun(run!.id)).output, ev.id);
  assert.equal((await call(admin, 'POST', '/v1/events', ev, h)).body.duplicates, 1);
  const bad = await call(admin, 'POST', '/v1/events', cloudEvent('order.created', { data: {} }), h);
  assert.equal(bad.body.quarantined, 1);
  const runs = await engine.searchRuns({ workflow: 'test.on-order' });
  assert.equal(runs.length, 1, 'a repeated event starts nothing new, a quarantined one nothing at all');
});
