import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { ConflictError } from '../../src/core/index.js';
import {
  type AuditRecord,
  auditHash,
  type IngestedEvent,
  openPostgresStore,
  type PostgresStore,
} from '../../src/store/index.js';
import { postgresAvailable, postgresUrl, skipReason } from '../backends.js';

const url = postgresUrl();
const skip = skipReason(await postgresAvailable(url));

const T = Date.UTC(2026, 0, 1);
let seq = 0;
const freshSchema = () => `baton_g_${process.pid}_${++seq}_${randomBytes(3).toString('hex')}`;

let adminPool: pg.Pool | undefined;
after(async () => {
  await adminPool?.end();
});
async function dropSchema(schema: string): Promise<void> {
  adminPool ??= new pg.Pool({ connectionString: url, max: 2 });
  await adminPool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** Stores on one fresh schema, each with a pool of its own, as separate processes would have. */
async function processes(
  t: { after: (fn: () => Promise<void>) => void },
  count: number,
): Promise<PostgresStore[]> {
  const schema = freshSchema();
  const stores: PostgresStore[] = [];
  t.after(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await dropSchema(schema);
  });
  for (let i = 0; i < count; i++) stores.push(await openPostgresStore({ url, schema, pool: { max: 4 } }));
  return stores;
}

function assertChain(records: AuditRecord[]): void {
  let prevHash = '';
  for (const [i, r] of records.entries()) {
    assert.equal(r.seq, i + 1);
    assert.equal(r.prevHash, prevHash);
    const { seq: n, prevHash: _p, hash, ...input } = r;
    assert.equal(hash, auditHash(prevHash, n, input));
    prevHash = hash;
  }
}

describe('postgres governance across processes', { skip }, () => {
  test('appenders in several processes write one gapless chain', async (t) => {
    const stores = await processes(t, 3);
    const calls = await Promise.all(
      stores.flatMap((store, p) =>
        Array.from({ length: 15 }, (_, c) =>
          store.governance.appendAudit(
            [0, 1].map((i) => ({
              at: T + c,
              actor: `process:${p}`,
              action: 'run.cancelled',
              target: { kind: 'run', id: `r-${p}-${c}-${i}` },
            })),
          ),
        ),
      ),
    );
    const chain = await stores[0]!.governance.readAudit({ limit: 1000 });
    assert.equal(chain.length, 90);
    assertChain(chain);
    for (const records of calls) {
      assert.equal(records[1]!.seq, records[0]!.seq + 1, 'the entries of one call stay together');
      assert.deepEqual(
        chain.filter((r) => records.some((x) => x.seq === r.seq)),
        records,
      );
    }
  });

  test('a contract version registered meanwhile by another process is refused', async (t) => {
    const stores = await processes(t, 4);
    await stores[0]!.governance.putContractType({
      type: 'order.created',
      owner: 'commerce',
      description: 'An order was captured',
      compatibility: 'BACKWARD',
      lifecycle: 'active',
      createdAt: T,
      updatedAt: T,
    });
    for (let latest = 0; latest < 5; latest++) {
      const settled = await Promise.allSettled(
        stores.map((s, p) =>
          s.governance.addContractVersion(
            {
              type: 'order.created',
              schema: { $id: `p${p}` },
              fingerprint: `fp-${latest}-${p}`,
              createdAt: T,
            },
            latest,
          ),
        ),
      );
      const landed = settled.filter((s) => s.status === 'fulfilled');
      assert.equal(landed.length, 1, `round ${latest}: one registration lands`);
      for (const s of settled)
        if (s.status === 'rejected') assert.ok(s.reason instanceof ConflictError, String(s.reason));
    }
    const versions = await stores[1]!.governance.listContractVersions('order.created');
    assert.deepEqual(
      versions.map((v) => v.version),
      [1, 2, 3, 4, 5],
    );
  });

  test('processes racing for the first API key create exactly one', async (t) => {
    for (let round = 0; round < 3; round++) {
      const stores = await processes(t, 4);
      const created = await Promise.all(
        stores.map((s, p) =>
          s.governance.createApiKey(
            {
              id: `key-${p}`,
              name: `admin ${p}`,
              prefix: `bk_${p}`,
              hash: `hash-${p}`,
              principal: 'user:admin',
              roles: ['admin'],
              scopes: ['*'],
              createdAt: T,
            },
            { onlyIfNone: true },
          ),
        ),
      );
      assert.equal(created.filter(Boolean).length, 1, `round ${round}: one first key`);
      assert.equal((await stores[0]!.governance.listApiKeys()).length, 1);
    }
  });

  test('the same events ingested by two processes at once are kept once and wake each wait once', async (t) => {
    const [a, b] = await processes(t, 2);
    const waiting: string[] = [];
    for (let i = 0; i < 40; i++) {
      const { run } = await a!.createRun(
        { id: `run-${i}`, workflow: 'pg.order', version: 1, input: {}, createdAt: T },
        { owner: 'w', leaseMs: 60_000 },
      );
      const wait = { type: 'shipment.dispatched', match: { orderId: `SO-${i}` }, since: T };
      const res = await a!.commit({
        runId: run.id,
        leaseToken: run.leaseToken,
        wakeSeq: run.wakeSeq,
        at: T,
        journal: [
          {
            position: 0,
            kind: 'event',
            name: wait.type,
            status: 'pending',
            attempts: 0,
            startedAt: T,
            input: wait,
          },
        ],
        run: { status: 'waiting', release: true },
      });
      assert.ok(res.ok);
      waiting.push(run.id);
    }
    const events: IngestedEvent[] = waiting.map((_, i) => ({
      id: `evt-${i}`,
      source: 'wms',
      type: 'shipment.dispatched',
      contractVersion: 1,
      data: { orderId: `SO-${i}` },
      receivedAt: T + 10,
    }));
    // each process gets the batch in its own order, in two halves
    const reversed = [...events].reverse();
    const [fromA1, fromA2, fromB1, fromB2] = await Promise.all([
      a!.governance.recordIngested(events.slice(0, 20)),
      a!.governance.recordIngested(events.slice(20)),
      b!.governance.recordIngested(reversed.slice(0, 20)),
      b!.governance.recordIngested(reversed.slice(20)),
    ]);
    const byEvent = new Map<string, Array<{ duplicate: boolean; woke: string[] }>>();
    const note = (batch: IngestedEvent[], results: Array<{ duplicate: boolean; woke: string[] }>) => {
      for (const [i, e] of batch.entries()) byEvent.set(e.id, [...(byEvent.get(e.id) ?? []), results[i]!]);
    };
    note(events.slice(0, 20), fromA1);
    note(events.slice(20), fromA2);
    note(reversed.slice(0, 20), fromB1);
    note(reversed.slice(20), fromB2);
    for (const [i, e] of events.entries()) {
      const outcomes = byEvent.get(e.id)!;
      assert.equal(outcomes.filter((o) => !o.duplicate).length, 1, `${e.id} is kept once`);
      assert.deepEqual(
        outcomes.flatMap((o) => o.woke),
        [`run-${i}`],
        `${e.id} wakes its run once`,
      );
    }
    for (const id of waiting) {
      const run = await b!.getRun(id);
      assert.equal(run?.wakeSeq, 1);
      assert.equal((await b!.loadJournal(id))[0]?.status, 'completed');
    }
  });
});
