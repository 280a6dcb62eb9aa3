import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { apiFixture, cloudEvent } from './fixture.js';

test('a repeated POST with the same Idempotency-Key replays the first response', async () => {
  const { call, admin, engine } = await apiFixture();
  const body = { input: { role: 'finance', amount: 5 } };
  const first = await call(admin, 'POST', '/v1/workflows/test.approval/runs', body, {
    'idempotency-key': 'start-1',
  });
  assert.equal(first.status, 201, first.text);
  assert.equal(first.headers['idempotent-replayed'], undefined);
  const second = await call(admin, 'POST', '/v1/workflows/test.approval/runs', body, {
    'idempotency-key': 'start-1',
  });
  assert.equal(second.status, 201);
  assert.equal(second.headers['idempotent-replayed'], 'true');
  assert.equal(second.headers.location, first.headers.location);
  assert.deepEqual(second.body, first.body);
  assert.equal((await engine.searchRuns({ workflow: 'test.approval' })).length, 1, 'one run started');

  const other = await call(
    admin,
    'POST',
    '/v1/workflows/test.approval/runs',
    { input: { role: 'finance', amount: 6 } },
    {
      'idempotency-key': 'start-1',
    },
  );
  assert.equal(other.status, 422, other.text);
  assert.match(String(other.headers['content-type']), /problem\+json/);
  assert.match(other.body.detail, /different request/);

  const fresh = await call(admin, 'POST', '/v1/workflows/test.approval/runs', body, {
    'idempotency-key': 'start-2',
  });
  assert.notEqual(fresh.body.id, first.body.id);
  const bad = await call(admin, 'POST', '/v1/workflows/test.approval/runs', body, {
    'idempotency-key': 'x'.repeat(300),
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.errors[0].in, 'headers');
});

test('keys are per principal, and refusals are replayed as refusals', async () => {
  const { call, admin, keyFor } = await apiFixture();
  const ops = await keyFor(['operator'], [], 'user:olga');
  const ev = cloudEvent('order.created');
  const h = { 'content-type': 'application/cloudevents+json', 'idempotency-key': 'ev-1' };
  const a = await call(admin, 'POST', '/v1/events', ev, h);
  assert.equal(a.body.accepted, 1);
  // the same key from another principal is another request altogether
  const b = await call(ops, 'POST', '/v1/events', ev, h);
  assert.equal(b.status, 403);
  const c = await call(admin, 'POST', '/v1/events', ev, h);
  assert.equal(c.headers['idempotent-replayed'], 'true');
  assert.equal(c.body.accepted, 1, 'the first answer, not "duplicate"');
  const missing = await call(admin, 'POST', '/v1/runs/nope/cancel', {}, { 'idempotency-key': 'c-1' });
  assert.equal(missing.status, 404);
  const again = await call(admin, 'POST', '/v1/runs/nope/cancel', {}, { 'idempotency-key': 'c-1' });
  assert.equal(again.status, 404);
  assert.equal(again.headers['idempotent-replayed'], 'true');
  assert.match(String(again.headers['content-type']), /problem\+json/);
});

test('requests over the per-key rate limit get 429 with Retry-After; other keys are unaffected', async () => {
  const { call, admin, keyFor } = await apiFixture({
    config: { api: { rateLimitPerMinute: 3, rateLimits: { admin: 1000 } } },
  });
  const ops = await keyFor(['operator']);
  for (let i = 0; i < 3; i++) assert.equal((await call(ops, 'GET', '/v1/workflows')).status, 200);
  const refused = await call(ops, 'GET', '/v1/workflows');
  assert.equal(refused.status, 429, refused.text);
  assert.match(String(refused.headers['content-type']), /problem\+json/);
  const retryAfter = Number(refused.headers['retry-after']);
  assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${refused.headers['retry-after']}`);
  assert.equal(refused.body.retryAfterSeconds, retryAfter);
  assert.equal((await call(admin, 'GET', '/v1/workflows')).status, 200, 'the admin role has its own limit');
  assert.equal((await call(undefined, 'GET', '/health')).status, 200, 'health is not limited');
});

test('a created key replays without its secret, and no secret reaches the database', async () => {
  const { call, admin, path, governance } = await apiFixture();
  const h = { 'idempotency-key': 'key-1' };
  const first = await call(admin, 'POST', '/v1/keys', { name: 'bridge', roles: ['integrator'] }, h);
  assert.match(first.body.secret, /^bk_/);
  const again = await call(admin, 'POST', '/v1/keys', { name: 'bridge', roles: ['integrator'] }, h);
  assert.equal(again.status, 201);
  assert.equal(again.body.key.id, first.body.key.id);
  assert.equal(again.body.secret, undefined);
  assert.equal((await governance.listApiKeys()).filter((k) => k.name === 'bridge').length, 1);
  const db = new Database(path, { readonly: true });
  const rows = db.prepare('SELECT * FROM idempotency_keys').all();
  const audit = db.prepare('SELECT * FROM audit').all();
  db.close();
  assert.ok(rows.length > 0);
  assert.ok(!JSON.stringify([rows, audit]).includes(first.body.secret));
});
