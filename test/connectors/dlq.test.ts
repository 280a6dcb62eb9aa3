import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createApiServer, ensureFirstAdminKey } from '../../src/api/index.js';
import { main } from '../../src/cli/main.js';
import { Connectors, connectorsFromConfig, erpConnector, FAILURE } from '../../src/connectors/index.js';
import { ContractRegistry } from '../../src/contracts/index.js';
import { ApplicationFailure, ConflictError, compileConfig } from '../../src/core/index.js';
import { openSqliteStore } from '../../src/store/index.js';
import { startEngine, tempDir } from '../helpers.js';
import { definitions, quick, sdkFixture } from './fixture.js';
import { StandIn } from './standin.js';

describe('dead-letter queue through the registry', () => {
  test('a call that exhausts its retries is held with every attempt; a replay completes it once', async () => {
    const { system, client, connectors } = await sdkFixture({ maxAttempts: 3 });
    await system.down();
    await assert.rejects(client.call('place', { orderId: 'SO-D1', qty: 2 }, { idempotencyKey: 'k-d1' }));
    const [held] = await connectors.dlq.list({ status: 'held' });
    assert.ok(held);
    assert.equal(held.kind, 'call');
    assert.equal(held.system, 'shop');
    assert.equal(held.operation, 'place');
    assert.deepEqual(held.payload, { orderId: 'SO-D1', qty: 2 });
    assert.equal(held.error.type, FAILURE.unavailable);
    assert.deepEqual(
      held.attempts.map((a) => [a.attempt, a.outcome]),
      [
        [1, 'failed'],
        [2, 'failed'],
        [3, 'failed'],
      ],
    );
    await system.up();
    const { entry, result } = await connectors.dlq.replay(held.id, 'user:ana');
    assert.deepEqual(result, { ok: true, key: 'k-d1' });
    assert.equal(entry.status, 'replayed');
    assert.equal(entry.resolvedBy, 'user:ana');
    assert.equal(system.applied.get('k-d1'), 1);
    await assert.rejects(connectors.dlq.replay(held.id, 'user:ana'), ConflictError);
  });

  test('a rejected payload is edited, then replayed; a failed replay stays held and is recorded', async () => {
    const { system, client, connectors } = await sdkFixture();
    system.answer = (r) =>
      (r.body as { qty: number }).qty > 99
        ? { status: 422, body: { detail: 'qty over 99' } }
        : { status: 201, body: { ok: true, key: r.idempotencyKey } };
    await assert.rejects(client.call('place', { orderId: 'SO-D2', qty: 500 }, { idempotencyKey: 'k-d2' }));
    const [held] = await connectors.dlq.list();
    await assert.rejects(connectors.dlq.replay(held!.id, 'user:ana'), /422/);
    const stillHeld = await connectors.dlq.get(held!.id);
    assert.equal(stillHeld.status, 'held');
    assert.equal(stillHeld.replays[0]?.ok, false);
    const { before, after } = await connectors.dlq.edit(held!.id, { orderId: 'SO-D2', qty: 50 }, 'user:ana');
    assert.deepEqual(before.payload, { orderId: 'SO-D2', qty: 500 });
    assert.equal(after.editedBy, 'user:ana');
    const { entry } = await connectors.dlq.replay(held!.id, 'user:bo');
    assert.equal(entry.status, 'replayed');
    const last = system.requestsFor('k-d2').at(-1)!;
    assert.deepEqual(last.body, { orderId: 'SO-D2', qty: 50 });
    // discarding is final
    await assert.rejects(client.call('place', { orderId: 'SO-D3', qty: 999 }));
    const [other] = await connectors.dlq.list({ status: 'held' });
    const gone = await connectors.dlq.discard(other!.id, 'user:ana');
    assert.equal(gone.status, 'discarded');
    await assert.rejects(connectors.dlq.edit(other!.id, {}, 'user:ana'), ConflictError);
  });

  test('an inbound message whose handler keeps failing is dead-lettered and replayed by its handler', async () => {
    const { connectors } = await sdkFixture();
    let ready = false;
    const seen: string[] = [];
    connectors.dlq.onMessage('supplier', 'asn', async (payload, info) => {
      seen.push(`${info.idempotencyKey}#${info.attempt}`);
      if (!ready) throw ApplicationFailure.retryable('purchase order not there yet');
      return { applied: payload };
    });
    await assert.rejects(
      connectors.dlq.receive(
        'supplier',
        'asn',
        { asn: 'ASN-1' },
        { idempotencyKey: 'asn-1', retryDelayMs: 5 },
      ),
      /not there yet/,
    );
    assert.deepEqual(seen, ['asn-1#1', 'asn-1#2', 'asn-1#3']);
    const [held] = await connectors.dlq.list({ kind: 'message' });
    assert.equal(held?.attempts.length, 3);
    ready = true;
    const { result, entry } = await connectors.dlq.replay(held!.id, 'user:ana');
    assert.deepEqual(result, { applied: { asn: 'ASN-1' } });
    assert.equal(entry.status, 'replayed');
  });
});

describe('dead-letter queue through the API', () => {
  test('list, show, edit (audited), replay and discard', async () => {
    const system = await new StandIn().up();
    after(() => system.down());
    const { engine, store } = startEngine([]);
    const connectors = new Connectors({
      store,
      definitions,
      settings: { shop: { baseUrl: system.url, ...quick, maxAttempts: 1 } },
    });
    after(() => connectors.close());
    const registry = new ContractRegistry(store.governance, { clock: engine.clock });
    const app = createApiServer({ engine, registry, connectors });
    after(() => app.close());
    await app.ready();
    const key = (await ensureFirstAdminKey(store.governance, Date.now()))!.secret;
    const call = async (method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown) => {
      const r = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${key}` },
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
      return { status: r.statusCode, body: r.json() };
    };

    system.answer = () => ({ status: 503 });
    const shop = connectors.get('shop');
    await assert.rejects(shop.callUntyped('place', { orderId: 'SO-A1', qty: 1 }, { idempotencyKey: 'k-a1' }));
    await assert.rejects(shop.callUntyped('place', { orderId: 'SO-A2', qty: 1 }, { idempotencyKey: 'k-a2' }));

    const list = await call('GET', '/v1/dlq?status=held');
    assert.equal(list.status, 200);
    assert.equal(list.body.items.length, 2);
    const [second, first] = list.body.items;
    assert.equal(first.idempotencyKey, 'k-a1');
    const shown = await call('GET', `/v1/dlq/${first.id}`);
    assert.equal(shown.body.error.status, 503);

    const stillDown = await call('POST', `/v1/dlq/${first.id}/replay`);
    assert.equal(stillDown.status, 502);
    assert.equal(stillDown.body.entry.replays.length, 1);

    const edited = await call('PUT', `/v1/dlq/${first.id}`, { payload: { orderId: 'SO-A1', qty: 3 } });
    assert.equal(edited.status, 200);
    assert.deepEqual(edited.body.payload, { orderId: 'SO-A1', qty: 3 });

    system.answer = (r) => ({ status: 200, body: { ok: true, key: r.idempotencyKey } });
    const replayed = await call('POST', `/v1/dlq/${first.id}/replay`);
    assert.equal(replayed.status, 200);
    assert.equal(replayed.body.entry.status, 'replayed');
    assert.deepEqual(system.requestsFor('k-a1').at(-1)?.body, { orderId: 'SO-A1', qty: 3 });

    assert.equal((await call('POST', `/v1/dlq/${second.id}/discard`)).body.status, 'discarded');
    assert.equal((await call('POST', `/v1/dlq/${second.id}/discard`)).status, 409);
    assert.equal((await call('GET', '/v1/dlq/nope')).status, 404);

    const audit = await store.governance.readAudit({ targetKind: 'dead-letter' });
    assert.deepEqual(
      audit.map((a) => a.action),
      ['dlq.replay_failed', 'dlq.edited', 'dlq.replayed', 'dlq.discarded'],
    );
    assert.deepEqual(audit[1]!.before, { payload: { orderId: 'SO-A1', qty: 1 } });
    assert.deepEqual(audit[1]!.after, { payload: { orderId: 'SO-A1', qty: 3 } });

    await connectors.close();
    const health = await call('GET', '/v1/connectors');
    const shopHealth = health.body.items.find((h: { system: string }) => h.system === 'shop');
    assert.equal(shopHealth.calls, 4);
    assert.equal(shopHealth.failures, 3);
    const calls = await call('GET', '/v1/connectors/shop/calls?idempotencyKey=k-a1');
    assert.equal(calls.body.items.length, 3);
  });
});

describe('dead-letter queue and health from the CLI', () => {
  test('baton dlq list|show|replay --payload-file|discard and baton connectors status', async () => {
    const system = await new StandIn().up();
    after(() => system.down());
    const dir = tempDir();
    const db = join(dir, 'baton.db');
    const configFile = join(dir, 'baton.config.json');
    writeFileSync(
      configFile,
      JSON.stringify({ connectors: { erp: { baseUrl: system.url, maxAttempts: 1 } } }),
    );

    // a worker's calls fail while the ERP refuses them
    const store = openSqliteStore({ path: db, durability: 'normal' });
    const worker = connectorsFromConfig(
      compileConfig({ connectors: { erp: { baseUrl: system.url, maxAttempts: 1 } } }),
      store,
    );
    system.answer = () => ({ status: 503, body: { title: 'Service Unavailable' } });
    const erp = worker.client(erpConnector);
    await assert.rejects(
      erp.call('checkCredit', { customerId: 'C-1', amount: 100 }, { idempotencyKey: 'k-c1' }),
    );
    await assert.rejects(
      erp.call('checkCredit', { customerId: 'C-2', amount: 200 }, { idempotencyKey: 'k-c2' }),
    );
    await worker.close();
    await store.close();

    const cli = async (...args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(['--db', db, '--config', configFile, ...args], {
        out: (s) => out.push(s),
        err: (s) => err.push(s),
      });
      return { code, out: out.join('\n'), err: err.join('\n') };
    };

    const listed = await cli('dlq', 'list', '--json');
    assert.equal(listed.code, 0, listed.err);
    const entries = JSON.parse(listed.out) as Array<{ id: string; idempotencyKey: string }>;
    assert.equal(entries.length, 2);
    const c1 = entries.find((e) => e.idempotencyKey === 'k-c1')!;
    const c2 = entries.find((e) => e.idempotencyKey === 'k-c2')!;
    assert.match((await cli('dlq', 'list')).out, /erp\.checkCredit/);
    assert.equal(JSON.parse((await cli('dlq', 'show', c1.id)).out).payload.amount, 100);

    const failed = await cli('dlq', 'replay', c1.id);
    assert.equal(failed.code, 1);
    assert.match(failed.err, /^baton: replay of .* failed: erp checkCredit answered 503/);

    system.answer = (r) => ({
      status: 201,
      body: { approved: true, customerId: 'C-1', key: r.idempotencyKey },
    });
    const payloadFile = join(dir, 'fixed.json');
    writeFileSync(payloadFile, JSON.stringify({ customerId: 'C-1', amount: 90 }));
    const replayed = await cli('dlq', 'replay', c1.id, '--payload-file', payloadFile);
    assert.equal(replayed.code, 0, replayed.err);
    assert.match(replayed.out, /replayed/);
    const lastRequest = system.requestsFor('k-c1').at(-1)!;
    assert.deepEqual(lastRequest.body, { customerId: 'C-1', amount: 90 });
    assert.equal(lastRequest.path, '/credit-checks');

    assert.equal((await cli('dlq', 'discard', c2.id)).code, 0);
    const again = await cli('dlq', 'discard', c2.id);
    assert.equal(again.code, 1);
    assert.match(again.err, /already discarded/);
    assert.equal((await cli('dlq', 'show', 'nope')).code, 1);

    const audit = JSON.parse(
      (await cli('audit', 'list', '--target-kind', 'dead-letter', '--json')).out,
    ) as Array<{
      action: string;
      actor: string;
    }>;
    assert.deepEqual(
      audit.map((a) => a.action),
      ['dlq.replay_failed', 'dlq.edited', 'dlq.replayed', 'dlq.discarded'],
    );
    assert.match(audit[1]!.actor, /^cli:/);

    const status = await cli('connectors', 'status', '--json', '--probe');
    assert.equal(status.code, 0, status.err);
    const erpHealth = (
      JSON.parse(status.out) as Array<{ system: string; calls: number; probe?: { ok: boolean } }>
    ).find((h) => h.system === 'erp')!;
    assert.equal(erpHealth.calls, 4);
    assert.equal(erpHealth.probe?.ok, true);
    assert.match((await cli('connectors', 'status')).out, /^SYSTEM\s+STATUS/);
  });
});
