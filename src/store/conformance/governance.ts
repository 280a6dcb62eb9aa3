import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { ConflictError, NotFoundError, newId } from '../../core/index.js';
import {
  type ApiKeyRecord,
  type AuditInput,
  type AuditRecord,
  auditHash,
  type ContractTypeRecord,
  type ContractVersionRecord,
  type IdempotencyRecord,
  type QuarantineInput,
} from '../governance.js';
import type { Store } from '../types.js';
import { type StoreTest, T } from './fixtures.js';
import { ingestedTests } from './ingested.js';

function contractType(over: Partial<ContractTypeRecord> = {}): ContractTypeRecord {
  return {
    type: 'order.created',
    owner: 'commerce-platform',
    description: 'An order was captured',
    compatibility: 'BACKWARD',
    lifecycle: 'active',
    createdAt: T,
    updatedAt: T,
    ...over,
  };
}

function contractVersion(
  type: string,
  n: number,
  over: Partial<ContractVersionRecord> = {},
): Omit<ContractVersionRecord, 'version'> {
  return {
    type,
    schema: {
      type: 'object',
      required: ['orderId'],
      properties: { orderId: { type: 'string' } },
      $id: `v${n}`,
    },
    fingerprint: `fp-${n}`,
    createdAt: T + n,
    ...over,
  };
}

function apiKey(over: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const id = over.id ?? newId(T);
  return {
    id,
    name: 'shopify bridge',
    prefix: 'bk_12ab',
    hash: `hash-${id}`,
    principal: 'svc:shopify-bridge',
    roles: ['publisher'],
    scopes: ['events:publish:order.*'],
    createdAt: T,
    ...over,
  };
}

function audit(n: number, over: Partial<AuditInput> = {}): AuditInput {
  return {
    at: T + n,
    actor: 'user:ana',
    action: 'contract.registered',
    target: { kind: 'contract', id: `order.created@${n}` },
    ...over,
  };
}

/** Checks seq 1..n without gaps and every link against its predecessor. */
function assertChain(records: AuditRecord[]): void {
  let prevHash = '';
  for (const [i, r] of records.entries()) {
    assert.equal(r.seq, i + 1, 'seq has no gaps');
    assert.equal(r.prevHash, prevHash, `record ${r.seq} links to the one before`);
    const { seq, prevHash: _prev, hash, ...input } = r;
    assert.equal(hash, auditHash(prevHash, seq, input), `record ${r.seq} hashes its content`);
    prevHash = hash;
  }
}

function quarantined(n: number, over: Partial<QuarantineInput> = {}): QuarantineInput {
  return {
    origin: 'http',
    reason: `event ${n} does not match its contract`,
    issues: [{ path: '/data/orderId', message: 'is required' }],
    payload: { id: `e-${n}`, type: 'order.created', data: { n } },
    type: 'order.created',
    eventId: `e-${n}`,
    source: 'pos',
    receivedAt: T + n,
    ...over,
  };
}

function idempotent(key: string, over: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return {
    key,
    principal: 'svc:shopify-bridge',
    requestHash: `req-${key}`,
    status: 201,
    headers: { location: `/runs/${key}` },
    body: { id: key, nested: { list: [1, 'two', null] } },
    createdAt: T,
    ...over,
  };
}

const all = async (store: Store) => store.governance.readAudit({ limit: 10_000 });

export function governanceTests(test: StoreTest): void {
  describe('governance: contracts', () => {
    test('putContractType creates, updates metadata and keeps the creation time', async (store) => {
      const g = store.governance;
      assert.equal(await g.getContractType('order.created'), undefined);
      const created = await g.putContractType(contractType());
      assert.deepEqual(created, contractType());
      await g.putContractType(contractType({ type: 'inventory.low', owner: 'supply' }));

      const updated = await g.putContractType(
        contractType({
          lifecycle: 'deprecated',
          sunsetAt: T + 10_000,
          owner: 'order-team',
          createdAt: T + 500,
          updatedAt: T + 500,
        }),
      );
      const expected = contractType({
        lifecycle: 'deprecated',
        sunsetAt: T + 10_000,
        owner: 'order-team',
        updatedAt: T + 500,
      });
      assert.deepEqual(updated, expected);
      assert.deepEqual(await g.getContractType('order.created'), expected);
      assert.deepEqual(
        (await g.listContractTypes()).map((t) => t.type),
        ['inventory.low', 'order.created'],
      );
      // back to active: the sunset goes
      const active = await g.putContractType(contractType({ updatedAt: T + 600 }));
      assert.equal(active.sunsetAt, undefined);
    });

    test('addContractVersion numbers versions per type and reads them back', async (store) => {
      const g = store.governance;
      await g.putContractType(contractType());
      await g.putContractType(contractType({ type: 'order.cancelled' }));
      const v1 = await g.addContractVersion(
        contractVersion('order.created', 1, { example: { orderId: 'SO-1' }, createdBy: 'user:ana' }),
        0,
      );
      assert.deepEqual(v1, {
        ...contractVersion('order.created', 1, { example: { orderId: 'SO-1' }, createdBy: 'user:ana' }),
        version: 1,
      });
      const v2 = await g.addContractVersion(contractVersion('order.created', 2, { example: null }), 1);
      assert.equal(v2.version, 2);
      assert.equal(v2.example, null, 'a null example is kept as null');
      const other = await g.addContractVersion(contractVersion('order.cancelled', 1), 0);
      assert.equal(other.version, 1, 'each type counts its own versions');

      assert.deepEqual(await g.getContractVersion('order.created'), v2);
      assert.deepEqual(await g.getContractVersion('order.created', 1), v1);
      assert.equal(await g.getContractVersion('order.created', 3), undefined);
      assert.equal(await g.getContractVersion('order.unknown'), undefined);
      assert.deepEqual(await g.listContractVersions('order.created'), [v1, v2]);
      assert.deepEqual(await g.listContractVersions('order.unknown'), []);
    });

    test('addContractVersion refuses a stale expected version and an unknown type', async (store) => {
      const g = store.governance;
      await g.putContractType(contractType());
      await g.addContractVersion(contractVersion('order.created', 1), 0);
      for (const stale of [0, 2]) {
        await assert.rejects(
          g.addContractVersion(contractVersion('order.created', 9), stale),
          (err: Error) => err instanceof ConflictError && /is at version 1, not/.test(err.message),
        );
      }
      assert.equal((await g.listContractVersions('order.created')).length, 1, 'nothing was written');
      await assert.rejects(g.addContractVersion(contractVersion('nobody.registered', 1), 0), NotFoundError);
    });

    test('of concurrent registrations against the same latest version exactly one lands', async (store) => {
      const g = store.governance;
      await g.putContractType(contractType());
      const settled = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => g.addContractVersion(contractVersion('order.created', i + 1), 0)),
      );
      const landed = settled.filter((s) => s.status === 'fulfilled');
      assert.equal(landed.length, 1);
      for (const s of settled) {
        if (s.status === 'rejected') assert.ok(s.reason instanceof ConflictError, String(s.reason));
      }
      assert.deepEqual(
        (await g.listContractVersions('order.created')).map((v) => v.version),
        [1],
      );
    });
  });

  describe('governance: API keys', () => {
    test('createApiKey stores a key found by id and by hash; an existing id or hash is refused', async (store) => {
      const g = store.governance;
      const key = apiKey({ createdBy: 'user:ana', expiresAt: T + 86_400_000 });
      assert.equal(await g.createApiKey(key), true);
      assert.deepEqual(await g.getApiKey(key.id), key);
      assert.deepEqual(await g.findApiKeyByHash(key.hash), key);
      assert.equal(await g.findApiKeyByHash('no-such-hash'), undefined);
      assert.equal(await g.getApiKey(newId(T)), undefined);

      await assert.rejects(g.createApiKey(apiKey({ id: key.id, hash: 'another' })), ConflictError);
      await assert.rejects(g.createApiKey(apiKey({ hash: key.hash })), ConflictError);
      const second = apiKey({ name: 'ops', principal: 'user:bo', createdAt: T + 1 });
      assert.equal(await g.createApiKey(second), true);
      assert.deepEqual(await g.listApiKeys(), [key, second]);
    });

    test('with onlyIfNone only the first key is created, even when two callers race', async (store) => {
      const g = store.governance;
      const results = await Promise.all([
        g.createApiKey(apiKey({ name: 'admin a' }), { onlyIfNone: true }),
        g.createApiKey(apiKey({ name: 'admin b' }), { onlyIfNone: true }),
      ]);
      assert.deepEqual([...results].sort(), [false, true]);
      assert.equal((await g.listApiKeys()).length, 1);
      assert.equal(await g.createApiKey(apiKey(), { onlyIfNone: true }), false);
      assert.equal(await g.createApiKey(apiKey()), true, 'without the option keys are added');
      assert.equal((await g.listApiKeys()).length, 2);
    });

    test('revokeApiKey keeps the first revocation; touchApiKey only moves forward', async (store) => {
      const g = store.governance;
      const key = apiKey();
      await g.createApiKey(key);
      const revoked = await g.revokeApiKey(key.id, 'user:ana', T + 100);
      assert.deepEqual(revoked, { ...key, revokedAt: T + 100, revokedBy: 'user:ana' });
      assert.deepEqual(await g.revokeApiKey(key.id, 'user:bo', T + 200), revoked);
      assert.deepEqual(await g.findApiKeyByHash(key.hash), revoked, 'a revoked key is still found, marked');
      await assert.rejects(g.revokeApiKey(newId(T), 'user:ana', T), NotFoundError);

      await g.touchApiKey(key.id, T + 50);
      assert.equal((await g.getApiKey(key.id))?.lastUsedAt, T + 50);
      await g.touchApiKey(key.id, T + 40);
      assert.equal((await g.getApiKey(key.id))?.lastUsedAt, T + 50, 'an older use does not move it back');
      await g.touchApiKey(key.id, T + 60);
      assert.equal((await g.getApiKey(key.id))?.lastUsedAt, T + 60);
      await g.touchApiKey(newId(T), T + 70); // an unknown key: nothing to touch
      assert.equal((await g.listApiKeys()).length, 1);
    });
  });

  describe('governance: audit', () => {
    test('appendAudit chains records from seq 1 and they read back exactly', async (store) => {
      const g = store.governance;
      const first = await g.appendAudit([
        audit(1, { before: null, after: { version: 1, schema: { b: 1, a: [1, 2] } }, requestId: 'req-1' }),
        audit(2, { action: 'key.revoked', target: { kind: 'key', id: 'k1' }, before: { revokedAt: null } }),
      ]);
      assert.deepEqual(
        first.map((r) => [r.seq, r.prevHash === '' ? 'first' : 'linked']),
        [
          [1, 'first'],
          [2, 'linked'],
        ],
      );
      const second = await g.appendAudit([audit(3, { actor: 'system' })]);
      assert.equal(second[0]?.seq, 3);
      assert.equal(second[0]?.prevHash, first[1]?.hash);
      assert.deepEqual(await g.appendAudit([]), []);

      const read = await all(store);
      assert.deepEqual(read, [...first, ...second]);
      assert.equal(read[0]?.before, null, 'null stays null');
      assert.ok(!('after' in (read[2] ?? {})), 'an absent value stays absent');
      assertChain(read);
    });

    test('a value that JSON turns into something else is hashed as it reads back', async (store) => {
      const [r] = await store.governance.appendAudit([
        audit(1, { after: { when: new Date(T), gone: undefined, n: 1 } }),
      ]);
      assert.deepEqual(r?.after, { when: new Date(T).toISOString(), n: 1 });
      assertChain(await all(store));
    });

    test('concurrent appends form one gapless chain, each call contiguous', async (store) => {
      const g = store.governance;
      const calls = await Promise.all(
        Array.from({ length: 20 }, (_, c) =>
          g.appendAudit([0, 1, 2].map((i) => audit(c * 3 + i, { actor: `user:${c}` }))),
        ),
      );
      const read = await all(store);
      assert.equal(read.length, 60);
      assertChain(read);
      for (const [c, records] of calls.entries()) {
        const seqs = records.map((r) => r.seq);
        assert.deepEqual(seqs, [seqs[0], seqs[0]! + 1, seqs[0]! + 2], `call ${c} got consecutive seqs`);
        assert.ok(records.every((r) => r.actor === `user:${c}`));
        assert.deepEqual(
          read.filter((r) => r.actor === `user:${c}`),
          records,
        );
      }
    });

    test('readAudit filters by actor, action, target and time, and pages by seq', async (store) => {
      const g = store.governance;
      await g.appendAudit([
        audit(10, {
          actor: 'user:ana',
          action: 'contract.registered',
          target: { kind: 'contract', id: 'a' },
        }),
        audit(20, { actor: 'user:bo', action: 'key.created', target: { kind: 'key', id: 'k1' } }),
        audit(30, { actor: 'user:ana', action: 'key.revoked', target: { kind: 'key', id: 'k1' } }),
        audit(40, { actor: 'system', action: 'task.completed', target: { kind: 'task', id: 't1' } }),
        audit(50, {
          actor: 'user:ana',
          action: 'contract.registered',
          target: { kind: 'contract', id: 'b' },
        }),
      ]);
      const seqs = async (q: Parameters<typeof g.readAudit>[0]) => (await g.readAudit(q)).map((r) => r.seq);
      assert.deepEqual(await seqs({}), [1, 2, 3, 4, 5]);
      assert.deepEqual(await seqs({ actor: 'user:ana' }), [1, 3, 5]);
      assert.deepEqual(await seqs({ action: 'contract.registered' }), [1, 5]);
      assert.deepEqual(await seqs({ targetKind: 'key' }), [2, 3]);
      assert.deepEqual(await seqs({ targetKind: 'key', targetId: 'k1', actor: 'user:ana' }), [3]);
      assert.deepEqual(await seqs({ targetId: 'k2' }), []);
      assert.deepEqual(
        await seqs({ since: T + 20, until: T + 40 }),
        [2, 3],
        'since inclusive, until exclusive',
      );
      assert.deepEqual(await seqs({ afterSeq: 3 }), [4, 5]);
      assert.deepEqual(await seqs({ limit: 2 }), [1, 2]);
      assert.deepEqual(await seqs({ afterSeq: 2, limit: 2 }), [3, 4]);
      assert.deepEqual(await seqs({ actor: 'user:ana', afterSeq: 1, limit: 1 }), [3]);
    });
  });

  ingestedTests(test);

  describe('governance: quarantine', () => {
    test('quarantine holds entries that read back as given, listed newest first', async (store) => {
      const g = store.governance;
      const [a, b] = await g.quarantine([
        quarantined(1, { publishedBy: 'svc:pos' }),
        quarantined(2, { origin: 'nats:erp.events.invoice', type: 'invoice.posted' }),
      ]);
      const [c] = await g.quarantine([
        { origin: 'csv:orders.csv', reason: 'not JSON', issues: [], payload: '{oops', receivedAt: T + 3 },
      ]);
      assert.ok(a && b && c);
      assert.deepEqual(a, {
        ...quarantined(1, { publishedBy: 'svc:pos' }),
        id: a.id,
        status: 'held',
        attempts: [],
      });
      assert.equal(c.payload, '{oops', 'raw text that did not parse is kept as text');
      assert.equal(c.type, undefined);
      assert.ok(a.id < b.id && b.id < c.id, 'ids grow with each entry');
      assert.deepEqual(await g.getQuarantined(b.id), b);
      assert.equal(await g.getQuarantined(newId(T)), undefined);
      assert.deepEqual(await g.quarantine([]), []);

      const list = async (q: Parameters<typeof g.listQuarantined>[0]) =>
        (await g.listQuarantined(q)).map((r) => r.id);
      assert.deepEqual(await list({}), [c.id, b.id, a.id]);
      assert.deepEqual(await list({ limit: 2 }), [c.id, b.id]);
      assert.deepEqual(await list({ before: b.id }), [a.id]);
      assert.deepEqual(await list({ before: c.id, limit: 1 }), [b.id]);
      assert.deepEqual(await list({ type: 'order.created' }), [a.id]);
      assert.deepEqual(await list({ origin: 'csv:orders.csv' }), [c.id]);
      await g.discardQuarantined(a.id, 'user:ana', T + 10);
      assert.deepEqual(await list({ status: 'held' }), [c.id, b.id]);
      assert.deepEqual(await list({ status: 'discarded' }), [a.id]);
      assert.deepEqual(await list({ status: 'replayed' }), []);
    });

    test('a held entry is corrected, replayed until it succeeds, then closed', async (store) => {
      const g = store.governance;
      const [entry] = await g.quarantine([quarantined(1)]);
      assert.ok(entry);
      const fixed = { id: 'e-1', type: 'order.created', data: { orderId: 'SO-1' } };
      const corrected = await g.correctQuarantined(entry.id, fixed, 'user:ana', T + 10);
      assert.deepEqual(corrected, { ...entry, payload: fixed });

      const failed = await g.recordReplay(entry.id, {
        at: T + 20,
        by: 'user:ana',
        ok: false,
        reason: 'still bad',
      });
      assert.equal(failed.status, 'held');
      assert.deepEqual(failed.attempts, [{ at: T + 20, by: 'user:ana', ok: false, reason: 'still bad' }]);
      assert.equal(failed.resolvedAt, undefined);

      const replayed = await g.recordReplay(entry.id, { at: T + 30, by: 'user:bo', ok: true });
      assert.deepEqual(replayed, {
        ...corrected,
        status: 'replayed',
        attempts: [...failed.attempts, { at: T + 30, by: 'user:bo', ok: true }],
        resolvedAt: T + 30,
        resolvedBy: 'user:bo',
      });
      assert.deepEqual(await g.getQuarantined(entry.id), replayed);

      await assert.rejects(g.correctQuarantined(entry.id, {}, 'user:ana', T + 40), ConflictError);
      await assert.rejects(g.recordReplay(entry.id, { at: T + 40, by: 'user:ana', ok: true }), ConflictError);
      await assert.rejects(g.discardQuarantined(entry.id, 'user:ana', T + 40), ConflictError);
      assert.deepEqual(await g.getQuarantined(entry.id), replayed, 'a closed entry does not change');
    });

    test('a discarded entry is closed; unknown entries are not found', async (store) => {
      const g = store.governance;
      const [entry] = await g.quarantine([quarantined(1)]);
      assert.ok(entry);
      const discarded = await g.discardQuarantined(entry.id, 'user:ana', T + 5);
      assert.deepEqual(discarded, {
        ...entry,
        status: 'discarded',
        resolvedAt: T + 5,
        resolvedBy: 'user:ana',
      });
      await assert.rejects(
        g.correctQuarantined(entry.id, {}, 'user:ana', T + 6),
        (err: Error) => err instanceof ConflictError && /is discarded/.test(err.message),
      );
      await assert.rejects(g.recordReplay(entry.id, { at: T + 6, by: 'user:ana', ok: true }), ConflictError);

      const unknown = newId(T);
      await assert.rejects(g.correctQuarantined(unknown, {}, 'user:ana', T), NotFoundError);
      await assert.rejects(g.recordReplay(unknown, { at: T, by: 'user:ana', ok: true }), NotFoundError);
      await assert.rejects(g.discardQuarantined(unknown, 'user:ana', T), NotFoundError);
    });
  });

  describe('governance: idempotency keys', () => {
    test('the first response stored for a key wins; keys are per principal', async (store) => {
      const g = store.governance;
      const first = idempotent('k-1');
      assert.equal(await g.putIdempotent(first), true);
      assert.deepEqual(await g.getIdempotent(first.principal, 'k-1'), first);
      assert.equal(await g.putIdempotent({ ...first, status: 500, body: { other: true } }), false);
      assert.deepEqual(await g.getIdempotent(first.principal, 'k-1'), first, 'the stored response stays');

      const other = idempotent('k-1', { principal: 'user:ana', status: 200 });
      assert.equal(await g.putIdempotent(other), true, 'the same key of another principal is its own');
      assert.deepEqual(await g.getIdempotent('user:ana', 'k-1'), other);
      assert.equal(await g.getIdempotent('user:ana', 'k-2'), undefined);

      const [concurrentA, concurrentB] = await Promise.all([
        g.putIdempotent(idempotent('k-race', { status: 201 })),
        g.putIdempotent(idempotent('k-race', { status: 202 })),
      ]);
      assert.equal(Number(concurrentA) + Number(concurrentB), 1, 'exactly one of two racing puts is stored');
    });

    test('pruneIdempotent forgets responses older than the cut-off', async (store) => {
      const g = store.governance;
      await g.putIdempotent(idempotent('old-1', { createdAt: T - 2000 }));
      await g.putIdempotent(idempotent('old-2', { createdAt: T - 1001 }));
      await g.putIdempotent(idempotent('edge', { createdAt: T - 1000 }));
      await g.putIdempotent(idempotent('new', { createdAt: T }));
      assert.equal(await g.pruneIdempotent(T - 1000), 2);
      assert.equal(await g.getIdempotent('svc:shopify-bridge', 'old-1'), undefined);
      assert.ok(await g.getIdempotent('svc:shopify-bridge', 'edge'));
      assert.ok(await g.getIdempotent('svc:shopify-bridge', 'new'));
      assert.equal(await g.pruneIdempotent(T - 1000), 0);
      assert.equal(
        await g.putIdempotent(idempotent('old-1', { createdAt: T + 1 })),
        true,
        'a pruned key is free',
      );
    });
  });
}
