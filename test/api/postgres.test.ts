import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { engineBackends } from '../helpers.js';
import { apiFixture, cloudEvent } from './fixture.js';

// The API is store-agnostic; this runs its durable paths (ingestion, quarantine, keys, audit) on PostgreSQL.
const postgres = (await engineBackends()).find((b) => b.name === 'postgres')!;

describe('the API on PostgreSQL', { skip: postgres.skip }, () => {
  test('ingests, quarantines, issues keys and keeps a verifiable audit chain', async () => {
    const { call, admin, governance } = await apiFixture({ backend: postgres });
    const good = cloudEvent('order.created');
    const bad = cloudEvent('order.created', { data: {} });
    const r = await call(admin, 'POST', '/v1/events', [good, bad, good]);
    assert.equal(r.status, 202, r.text);
    assert.deepEqual(
      r.body.results.map((x: { status: string }) => x.status),
      ['accepted', 'quarantined', 'duplicate'],
    );
    assert.deepEqual((await governance.getIngested(String(good.source), String(good.id)))?.data, good.data);
    const id = r.body.results[1].quarantineId;
    assert.equal((await call(admin, 'POST', `/v1/quarantine/${id}/discard`)).body.status, 'discarded');
    const made = await call(admin, 'POST', '/v1/keys', { name: 'pg', roles: ['operator'] });
    assert.equal(made.status, 201, made.text);
    assert.equal((await call(made.body.secret, 'GET', '/v1/audit/verify')).body.ok, true);
    const replay = { 'idempotency-key': 'pg-1' };
    const first = await call(admin, 'POST', '/v1/keys', { name: 'pg2', roles: ['operator'] }, replay);
    const again = await call(admin, 'POST', '/v1/keys', { name: 'pg2', roles: ['operator'] }, replay);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.body.key.id, first.body.key.id);
    assert.equal(again.body.secret, undefined, 'a secret is never stored, not even for a replay');
    assert.equal((await governance.listApiKeys()).filter((k) => k.name === 'pg2').length, 1);
  });
});
