import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { ConflictError, NotFoundError } from '../../core/index.js';
import type { CallRecordInput, DeadLetterInput } from '../connectors.js';
import { HOUR, type StoreTest, T } from './fixtures.js';

function call(over: Partial<CallRecordInput> = {}): CallRecordInput {
  return {
    system: 'erp',
    operation: 'checkCredit',
    idempotencyKey: 'run-1:0',
    attempt: 1,
    outcome: 'ok',
    status: 200,
    latencyMs: 10,
    breaker: 'closed',
    at: T,
    ...over,
  };
}

function letter(over: Partial<DeadLetterInput> = {}): DeadLetterInput {
  return {
    kind: 'call',
    system: 'erp',
    operation: 'postInvoice',
    idempotencyKey: 'run-9:3',
    payload: { orderId: 'SO-1', amount: 120.5 },
    error: { message: 'erp answered 503', type: 'connector.unavailable', status: 503, retryable: true },
    attempts: [
      { at: T, attempt: 1, outcome: 'failed', status: 503, latencyMs: 12, error: 'erp answered 503' },
      { at: T + 200, attempt: 2, outcome: 'timeout', latencyMs: 1000, error: 'timed out' },
    ],
    createdAt: T + 1000,
    ...over,
  };
}

export function connectorTests(test: StoreTest): void {
  describe('connector call records', () => {
    test('calls are kept in write order and read back newest first, filtered', async (store) => {
      const c = store.connectors;
      await c.recordCalls([
        call({ attempt: 1, outcome: 'failed', status: 503, error: 'erp answered 503' }),
        call({ attempt: 2, at: T + 100 }),
        call({ system: 'wms', operation: 'release', idempotencyKey: 'run-2:1', at: T + 200 }),
      ]);
      await c.recordCalls([call({ idempotencyKey: undefined, status: undefined, at: T + 300 })]);
      const all = await c.listCalls({});
      assert.equal(all.length, 4);
      assert.deepEqual(
        all.map((r) => r.seq),
        [...all.map((r) => r.seq)].sort((a, b) => b - a),
      );
      assert.equal(all[3]!.error, 'erp answered 503');
      assert.equal(all[0]!.idempotencyKey, undefined);
      assert.equal(all[0]!.status, undefined);
      const keyed = await c.listCalls({ idempotencyKey: 'run-1:0' });
      assert.deepEqual(
        keyed.map((r) => r.attempt),
        [2, 1],
      );
      assert.deepEqual(
        (await c.listCalls({ system: 'wms' })).map((r) => r.operation),
        ['release'],
      );
      assert.equal((await c.listCalls({ since: T + 150 })).length, 2);
      assert.equal((await c.listCalls({ limit: 1, beforeSeq: all[0]!.seq })).at(0)?.seq, all[1]!.seq);
      await c.recordCalls([]);
    });

    test('stats per system: counts, nearest-rank percentiles, last success and error', async (store) => {
      const c = store.connectors;
      const latencies = Array.from({ length: 100 }, (_, i) => i + 1);
      await c.recordCalls(
        latencies.map((ms, i) =>
          call({
            latencyMs: ms,
            at: T + i,
            outcome: i % 10 === 0 ? 'failed' : 'ok',
            ...(i % 10 === 0 ? { error: `failure ${i}` } : {}),
          }),
        ),
      );
      await c.recordCalls([
        call({ system: 'wms', at: T - HOUR, latencyMs: 5 }),
        call({ system: 'wms', at: T - HOUR + 1, outcome: 'rejected', breaker: 'open', error: 'open' }),
      ]);
      const stats = await c.callStats({ since: T });
      assert.deepEqual(
        stats.map((s) => s.system),
        ['erp', 'wms'],
      );
      const erp = stats[0]!;
      assert.equal(erp.calls, 100);
      assert.equal(erp.failures, 10);
      assert.equal(erp.p50Ms, 50);
      assert.equal(erp.p99Ms, 99);
      assert.equal(erp.lastAt, T + 99);
      assert.equal(erp.lastBreaker, 'closed');
      assert.equal(erp.lastSuccessAt, T + 99);
      assert.equal(erp.lastErrorAt, T + 90);
      assert.equal(erp.lastError, 'failure 90');
      // outside the window: no figures, but the latest attempts still show
      const wms = stats[1]!;
      assert.equal(wms.calls, 0);
      assert.equal(wms.failures, 0);
      assert.equal(wms.p50Ms, undefined);
      assert.equal(wms.lastBreaker, 'open');
      assert.equal(wms.lastSuccessAt, T - HOUR);
      assert.equal(wms.lastError, 'open');
      assert.deepEqual(
        (await c.callStats({ since: T, system: 'wms' })).map((s) => s.system),
        ['wms'],
      );
      assert.deepEqual(await c.callStats({ since: T, system: 'crm' }), []);
    });

    test('pruning forgets records older than the cut-off', async (store) => {
      const c = store.connectors;
      await c.recordCalls([call({ at: T }), call({ at: T + 1 }), call({ at: T + HOUR })]);
      assert.equal(await c.pruneCalls(T + 2), 2);
      assert.deepEqual(
        (await c.listCalls({})).map((r) => r.at),
        [T + HOUR],
      );
    });
  });

  describe('dead-letter queue', () => {
    test('an entry keeps its payload, error and every attempt', async (store) => {
      const c = store.connectors;
      const input = letter();
      const entry = await c.addDeadLetter(input);
      assert.equal(entry.status, 'held');
      assert.deepEqual(entry.replays, []);
      assert.deepEqual(
        { ...entry, id: undefined, status: undefined, replays: undefined },
        { ...input, id: undefined, status: undefined, replays: undefined },
      );
      assert.deepEqual(await c.getDeadLetter(entry.id), entry);
      assert.equal(await c.getDeadLetter('no-such-entry'), undefined);
    });

    test('listing is newest first, filtered and paged', async (store) => {
      const c = store.connectors;
      const a = await c.addDeadLetter(letter({ createdAt: T }));
      const b = await c.addDeadLetter(letter({ createdAt: T + 1, system: 'wms', kind: 'message' }));
      const d = await c.addDeadLetter(letter({ createdAt: T + 2 }));
      await c.discardDeadLetter(d.id, 'user:ana', T + 3);
      assert.deepEqual(
        (await c.listDeadLetters({})).map((e) => e.id),
        [d.id, b.id, a.id],
      );
      assert.deepEqual(
        (await c.listDeadLetters({ status: 'held' })).map((e) => e.id),
        [b.id, a.id],
      );
      assert.deepEqual(
        (await c.listDeadLetters({ system: 'erp' })).map((e) => e.id),
        [d.id, a.id],
      );
      assert.deepEqual(
        (await c.listDeadLetters({ kind: 'message' })).map((e) => e.id),
        [b.id],
      );
      assert.deepEqual(
        (await c.listDeadLetters({ limit: 1, before: d.id })).map((e) => e.id),
        [b.id],
      );
    });

    test('edit, failed replay, then a replay that closes it', async (store) => {
      const c = store.connectors;
      const entry = await c.addDeadLetter(letter());
      const edited = await c.editDeadLetter(entry.id, { orderId: 'SO-1', amount: 12.05 }, 'user:ana', T + 5);
      assert.deepEqual(edited.payload, { orderId: 'SO-1', amount: 12.05 });
      assert.equal(edited.editedBy, 'user:ana');
      assert.equal(edited.editedAt, T + 5);
      const failed = await c.recordDeadLetterReplay(entry.id, {
        at: T + 6,
        by: 'user:ana',
        ok: false,
        error: 'still down',
      });
      assert.equal(failed.status, 'held');
      assert.equal(failed.resolvedAt, undefined);
      const done = await c.recordDeadLetterReplay(entry.id, { at: T + 7, by: 'user:bo', ok: true });
      assert.equal(done.status, 'replayed');
      assert.equal(done.resolvedBy, 'user:bo');
      assert.equal(done.resolvedAt, T + 7);
      assert.deepEqual(
        done.replays.map((r) => r.ok),
        [false, true],
      );
      await assert.rejects(c.editDeadLetter(entry.id, {}, 'user:ana', T + 8), ConflictError);
      await assert.rejects(c.discardDeadLetter(entry.id, 'user:ana', T + 8), ConflictError);
      await assert.rejects(
        c.recordDeadLetterReplay(entry.id, { at: T + 8, by: 'user:ana', ok: true }),
        ConflictError,
      );
    });

    test('discard closes an entry; unknown ids are not found', async (store) => {
      const c = store.connectors;
      const entry = await c.addDeadLetter(letter({ payload: undefined, idempotencyKey: undefined }));
      assert.equal(entry.payload, undefined);
      assert.equal(entry.idempotencyKey, undefined);
      const gone = await c.discardDeadLetter(entry.id, 'user:ana', T + 9);
      assert.equal(gone.status, 'discarded');
      assert.equal(gone.resolvedBy, 'user:ana');
      await assert.rejects(c.discardDeadLetter('no-such-entry', 'user:ana', T), NotFoundError);
      await assert.rejects(c.editDeadLetter('no-such-entry', {}, 'user:ana', T), NotFoundError);
    });
  });
}
