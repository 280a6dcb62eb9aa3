import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { ConfigError, NotFoundError, StoreError } from '../../src/core/index.js';
import {
  type CommitUnit,
  migratePostgresStore,
  type NewRun,
  openPostgresStore,
  type PostgresStore,
  type PostgresStoreOptions,
  type RunRecord,
  type Store,
  storeConformance,
} from '../../src/store/index.js';
import { postgresAvailable, postgresUrl, skipReason } from '../backends.js';

const url = postgresUrl();
const skip = skipReason(await postgresAvailable(url));

const T = Date.UTC(2026, 0, 1);
const WF = 'pg.order';
let seq = 0;

/** A schema name no other test (or test process) uses. */
const freshSchema = () => `baton_t_${process.pid}_${++seq}_${randomBytes(3).toString('hex')}`;

let adminPool: pg.Pool | undefined;
/** A connection pool outside any store, to look at and set up the database directly. */
function admin(): pg.Pool {
  if (!adminPool) {
    adminPool = new pg.Pool({ connectionString: url, max: 4 });
    adminPool.on('error', () => {});
  }
  return adminPool;
}
after(async () => {
  await adminPool?.end();
});

const dropSchema = async (schema: string) => {
  await admin().query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
};

/** Opens stores on a fresh schema; every store is closed and the schema dropped when the test ends. */
async function freshStores(
  t: { after: (fn: () => Promise<void>) => void },
  count = 1,
  options: Partial<PostgresStoreOptions> = {},
): Promise<{ schema: string; stores: PostgresStore[] }> {
  const schema = options.schema ?? freshSchema();
  const stores: PostgresStore[] = [];
  t.after(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await dropSchema(schema);
  });
  for (let i = 0; i < count; i++) {
    stores.push(await openPostgresStore({ url, schema, pool: { max: 4 }, ...options }));
  }
  return { schema, stores };
}

describe('postgres', { skip }, () => {
  storeConformance('postgres', async () => {
    const schema = freshSchema();
    return {
      store: await openPostgresStore({ url, schema, pool: { max: 4 } }),
      cleanup: () => dropSchema(schema),
    };
  });
});

function newRun(over: Partial<NewRun> = {}): NewRun {
  return {
    id: `r-${randomBytes(8).toString('hex')}`,
    workflow: WF,
    version: 1,
    input: { orderId: 'SO-1' },
    createdAt: T,
    ...over,
  };
}

const claimReq = (owner: string, over: Partial<Parameters<Store['claimRuns']>[0]> = {}) => ({
  owner,
  limit: 10,
  leaseMs: 30_000,
  now: T,
  workflows: [`${WF}@1`],
  ...over,
});

/** Resolves on the next call of the returned listener; rejects after `ms` so a test cannot hang. */
function nextCall(ms = 10_000): { listener: () => void; next: () => Promise<void> } {
  let waiting: (() => void) | undefined;
  let calls = 0;
  let seen = 0;
  return {
    listener: () => {
      calls++;
      waiting?.();
    },
    next: () =>
      new Promise<void>((resolve, reject) => {
        if (calls > seen) {
          seen = calls;
          resolve();
          return;
        }
        const timer = setTimeout(() => reject(new Error(`no wake-up within ${ms} ms`)), ms);
        waiting = () => {
          clearTimeout(timer);
          waiting = undefined;
          seen = calls;
          resolve();
        };
      }),
  };
}

/** Waits `n` turns of the event loop. */
async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

/** Polls `check` until it returns true; fails after `ms`. For effects that land asynchronously. */
async function eventually(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const shipped = readdirSync(new URL('../../src/store/postgres/migrations/', import.meta.url))
  .filter((f) => /^\d{4}_.+\.sql$/.test(f))
  .sort()
  .map((f) => ({ version: Number(f.slice(0, 4)), name: f }));

async function recordedMigrations(schema: string) {
  const res = await admin().query(
    `SELECT version, name, applied_at FROM "${schema}".schema_migrations ORDER BY version`,
  );
  return res.rows as Array<{ version: number; name: string; applied_at: string }>;
}

describe('postgres store', () => {
  describe('migrations and schema', () => {
    test('migrations are recorded in schema_migrations and never applied twice', { skip }, async (t) => {
      const schema = freshSchema();
      t.after(() => dropSchema(schema));
      const first = await openPostgresStore({ url, schema });
      const { run } = await first.createRun(newRun({ input: { kept: true } }));
      await first.close();
      const recorded = await recordedMigrations(schema);
      assert.ok(shipped.length > 0);
      assert.deepEqual(
        recorded.map((m) => ({ version: m.version, name: m.name })),
        shipped,
      );

      const second = await openPostgresStore({ url, schema });
      assert.deepEqual(await second.getRun(run.id), run, 'data survives re-opening');
      await second.close();
      assert.deepEqual(await recordedMigrations(schema), recorded, 'nothing is applied or recorded again');
      assert.deepEqual(await migratePostgresStore({ url, schema }), []);
    });

    test('processes migrating a fresh schema at once apply each migration once', { skip }, async (t) => {
      const schema = freshSchema();
      t.after(() => dropSchema(schema));
      const results = await Promise.all(
        Array.from({ length: 6 }, () => migratePostgresStore({ url, schema })),
      );
      assert.deepEqual(
        results.filter((applied) => applied.length > 0),
        [shipped.map((m) => m.version)],
        'exactly one migrator applies the migrations',
      );
      assert.deepEqual(
        (await recordedMigrations(schema)).map((m) => ({ version: m.version, name: m.name })),
        shipped,
      );
      // stores opening at once on a fresh schema also agree
      const other = freshSchema();
      t.after(() => dropSchema(other));
      const stores = await Promise.all(
        Array.from({ length: 4 }, () => openPostgresStore({ url, schema: other })),
      );
      await Promise.all(stores.map((s) => s.close()));
      assert.equal((await recordedMigrations(other)).length, shipped.length);
    });

    test('all tables live in the configured schema', { skip }, async (t) => {
      const { schema } = await freshStores(t);
      const tables = await admin().query(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [schema],
      );
      assert.deepEqual(
        tables.rows.map((r) => r.table_name),
        [
          'api_keys',
          'audit',
          'connector_calls',
          'contract_types',
          'contract_versions',
          'dead_letters',
          'events',
          'history',
          'idempotency_keys',
          'ingested_events',
          'journal',
          'outbox',
          'quarantine',
          'resource_buckets',
          'resource_slots',
          'rule_decisions',
          'rule_drafts',
          'rule_overrides',
          'rule_sets',
          'rule_versions',
          'run_tags',
          'runs',
          'schema_migrations',
          'tasks',
        ],
      );
    });

    test('with migrate: false, an unmigrated schema is refused with what to do', { skip }, async (t) => {
      const schema = freshSchema();
      t.after(() => dropSchema(schema));
      await assert.rejects(openPostgresStore({ url, schema, migrate: false }), (err: Error) => {
        assert.ok(err instanceof StoreError);
        assert.match(err.message, /is at migration 0, this build needs \d+; run `baton migrate`/);
        return true;
      });
      await migratePostgresStore({ url, schema });
      const store = await openPostgresStore({ url, schema, migrate: false });
      await store.close();
    });

    test('a schema name that is not a plain identifier is refused before connecting', async () => {
      for (const schema of [
        'Baton',
        'bad-name',
        '1st',
        'pg_store',
        'a'.repeat(64),
        'x;drop table runs',
        '',
      ]) {
        await assert.rejects(
          openPostgresStore({ url: 'postgres://u@127.0.0.1:1/none', schema }),
          ConfigError,
          `schema ${JSON.stringify(schema)}`,
        );
      }
    });
  });

  describe('connection errors', () => {
    test('an unreachable server gives one line naming the server, without the password', async () => {
      await assert.rejects(
        openPostgresStore({
          url: 'postgres://baton:s3cret-pw@127.0.0.1:1/test',
          pool: { connectionTimeoutMs: 5000 },
        }),
        (err: Error) => {
          assert.ok(err instanceof StoreError, `a StoreError, got ${err.name}`);
          assert.match(err.message, /^cannot connect to PostgreSQL at 127\.0\.0\.1:1\/test: .*ECONNREFUSED/);
          assert.ok(!err.message.includes('s3cret-pw'), err.message);
          assert.ok(!err.message.includes('\n'), 'one line');
          return true;
        },
      );
    });

    test('a missing database and an unknown role are named in the message', { skip }, async () => {
      const base = new URL(url);
      const noDb = new URL(url);
      noDb.pathname = '/baton_no_such_database';
      await assert.rejects(openPostgresStore({ url: noDb.href }), (err: Error) => {
        assert.ok(err instanceof StoreError);
        assert.match(
          err.message,
          new RegExp(
            `^cannot connect to PostgreSQL at ${base.hostname}:\\d+/baton_no_such_database: .*does not exist`,
          ),
        );
        return true;
      });
      const noRole = new URL(url);
      noRole.username = 'baton_no_such_role';
      noRole.password = 'pw-not-shown';
      await assert.rejects(openPostgresStore({ url: noRole.href }), (err: Error) => {
        assert.ok(err instanceof StoreError);
        assert.match(err.message, /^cannot connect to PostgreSQL at .*baton_no_such_role/);
        assert.ok(!err.message.includes('pw-not-shown'));
        return true;
      });
    });
  });

  describe('data', () => {
    test('JSON values round-trip exactly, key order included', { skip }, async (t) => {
      const {
        stores: [store],
      } = await freshStores(t);
      const input = {
        zeta: 1,
        alpha: { b: [1, 2.5, -0.125, 1e21, 0.1 + 0.2, Number.MAX_SAFE_INTEGER], a: null },
        text: 'Grüße, 東京 \u0000 "quoted" \\ \n',
        empty: {},
        list: [[], {}, null, true, false, ''],
        nested: { deeper: { deepest: [{ k: 'v' }] } },
      };
      const { run } = await store!.createRun(newRun({ input }));
      const stored = await store!.getRun(run.id);
      assert.deepEqual(stored?.input, input);
      assert.equal(JSON.stringify(stored?.input), JSON.stringify(input), 'key order is kept');
      for (const value of [null, 0, 'text', [1, 'a', null], false]) {
        const r = await store!.createRun(newRun({ input: value }));
        assert.deepEqual((await store!.getRun(r.run.id))?.input, value);
      }
      const none = await store!.createRun(newRun({ input: undefined }));
      assert.equal('input' in ((await store!.getRun(none.run.id)) ?? {}), false);
    });
  });

  describe('claims across processes', () => {
    test('the claim query reads the runnable partial index however many runs have finished', {
      skip,
    }, async (t) => {
      const {
        schema,
        stores: [store],
      } = await freshStores(t);
      // a long history: finished runs, and waits without a deadline, none of them claimable
      await admin().query(
        `INSERT INTO "${schema}".runs (id, workflow, version, wf_key, status, queue, next_at, created_at, updated_at, ended_at)
         SELECT 'done-' || lpad(i::text, 8, '0'), $1, 1, $1 || '@1', 'completed', 'default', NULL, $2, $2, $2
         FROM generate_series(1, 50000) AS i`,
        [WF, T - 86_400_000],
      );
      await admin().query(
        `INSERT INTO "${schema}".runs (id, workflow, version, wf_key, status, queue, next_at, created_at, updated_at)
         SELECT 'wait-' || lpad(i::text, 8, '0'), $1, 1, $1 || '@1', 'waiting', 'default', NULL, $2, $2
         FROM generate_series(1, 2000) AS i`,
        [WF, T - 3_600_000],
      );
      for (let i = 0; i < 20; i++) await store!.createRun(newRun({ createdAt: T - i }));
      await admin().query(`ANALYZE "${schema}".runs`);

      const req = { now: T, workflows: [`${WF}@1`], queues: ['default'], limit: 10 };
      for (const generic of [false, true]) {
        const plan = await store!.explainClaim(req, { generic });
        t.diagnostic(`claim plan (${generic ? 'generic' : 'custom'}):`);
        for (const line of plan) t.diagnostic(line);
        const text = plan.join('\n');
        assert.match(text, /LockRows/);
        assert.match(text, /Index Scan using runs_runnable on runs/, text);
        assert.doesNotMatch(text, /Seq Scan on runs/, text);
        assert.doesNotMatch(text, /Sort/, 'the index delivers next_at order');
      }
      assert.equal((await store!.claimRuns(claimReq('w1', { limit: 50 }))).length, 20);
    });

    test('concurrent claimers in different processes never claim one run twice', { skip }, async (t) => {
      const { schema, stores } = await freshStores(t, 4);
      const total = 120;
      for (let i = 0; i < total; i++) await stores[0]!.createRun(newRun({ createdAt: T - (i % 7) }));
      const claimed = await Promise.all(
        stores.map(async (store, w) => {
          const mine: string[] = [];
          for (;;) {
            const got = await store.claimRuns(claimReq(`worker-${w}`, { limit: 5 }));
            if (got.length === 0) return mine;
            mine.push(...got.map((c) => c.run.id));
          }
        }),
      );
      const all = claimed.flat();
      assert.equal(all.length, total, 'every run is claimed');
      assert.equal(new Set(all).size, total, 'no run is claimed twice');
      const { rows } = await admin().query(
        `SELECT count(*)::int AS n FROM "${schema}".runs WHERE claims <> 1`,
      );
      assert.equal(rows[0].n, 0);
    });

    test('per-key concurrency limits hold when workers in several processes claim at once', {
      skip,
    }, async (t) => {
      const { schema, stores } = await freshStores(t, 5);
      const activeByKey = async () => {
        const { rows } = await admin().query(
          `SELECT concurrency_key AS key, count(*)::int AS n FROM "${schema}".runs
           WHERE status IN ('running','waiting','compensating') AND concurrency_key IS NOT NULL GROUP BY 1`,
        );
        return new Map(rows.map((r) => [r.key as string, r.n as number]));
      };
      for (let round = 0; round < 8; round++) {
        const limits = { [`order:${round}`]: 1, [`erp:${round}`]: 3 };
        for (const [key, limit] of Object.entries(limits)) {
          for (let i = 0; i < 8; i++) {
            await stores[0]!.createRun(
              newRun({ concurrencyKey: key, concurrencyLimit: limit, createdAt: T - i }),
            );
          }
        }
        for (let i = 0; i < 4; i++) await stores[0]!.createRun(newRun());
        const now = T + round;
        await Promise.all(stores.map((s, w) => s.claimRuns(claimReq(`w${w}`, { now, limit: 6 }))));
        // a second wave from every process fills whatever slots are left, and no more
        await Promise.all(stores.map((s, w) => s.claimRuns(claimReq(`w${w}`, { now, limit: 6 }))));
        const active = await activeByKey();
        for (const [key, limit] of Object.entries(limits)) {
          assert.equal(active.get(key), limit, `key ${key} runs exactly ${limit} at once`);
        }
      }

      // runs started with a claim race the same way
      const key = 'sku:SKU-1';
      const started = await Promise.all(
        Array.from({ length: 15 }, (_, i) =>
          stores[i % stores.length]!.createRun(newRun({ concurrencyKey: key, concurrencyLimit: 2 }), {
            owner: `w${i}`,
            leaseMs: 30_000,
          }),
        ),
      );
      assert.equal(started.filter((s) => s.claimed).length, 2);
      assert.equal((await activeByKey()).get(key), 2);
    });

    test('a worker whose lease was taken over in another process cannot commit', { skip }, async (t) => {
      const {
        stores: [a, b],
      } = await freshStores(t, 2);
      const { run } = await a!.createRun(newRun({ createdAt: T - 60_000 }), { owner: 'a', leaseMs: 1000 });
      const [taken] = await b!.claimRuns(claimReq('b'));
      assert.equal(taken?.recovered, true);
      const unit: CommitUnit = { runId: run.id, leaseToken: run.leaseToken, wakeSeq: run.wakeSeq, at: T + 1 };
      assert.deepEqual(await a!.commit(unit), { ok: false, reason: 'lease-lost' });
      assert.deepEqual(await a!.heartbeat('a', [{ runId: run.id, token: 1 }], 1000, T + 1), [run.id]);
      assert.ok((await b!.commit({ ...unit, leaseToken: 2 })).ok);
    });
  });

  describe('deadlocks', () => {
    test('a commit that loses a deadlock is applied in the next transaction', { skip }, async (t) => {
      const appName = `baton-test-${randomBytes(4).toString('hex')}`;
      const {
        schema,
        stores: [store],
      } = await freshStores(t, 1, { applicationName: appName });
      const x = (await store!.createRun(newRun(), { owner: 'w', leaseMs: 60_000 })).run;
      const y = (await store!.createRun(newRun(), { owner: 'w', leaseMs: 60_000 })).run;
      const unit = (run: RunRecord): CommitUnit => ({
        runId: run.id,
        leaseToken: run.leaseToken,
        wakeSeq: run.wakeSeq,
        at: T + 1,
        journal: [{ position: 0, kind: 'step', name: 'a', status: 'completed', attempts: 1, startedAt: T }],
      });
      // another session holds y and then asks for x, while one batch of the store holds x and waits for y
      const other = await admin().connect();
      try {
        await other.query('BEGIN');
        await other.query(`SELECT 1 FROM "${schema}".runs WHERE id = $1 FOR UPDATE`, [y.id]);
        const commits = Promise.all([store!.commit(unit(x)), store!.commit(unit(y))]);
        await eventually(
          async () =>
            (
              await admin().query(
                "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
                [appName],
              )
            ).rows[0].n === 1,
          'the store waits for the row lock',
        );
        const crossing = other.query(`SELECT 1 FROM "${schema}".runs WHERE id = $1 FOR UPDATE`, [x.id]).then(
          () => other.query('COMMIT'),
          () => other.query('ROLLBACK'),
        );
        const [cx, cy] = await commits;
        await crossing;
        assert.ok(cx.ok && cy.ok, 'both commits land whichever side PostgreSQL picks as the victim');
        for (const run of [x, y]) assert.equal((await store!.loadJournal(run.id)).length, 1);
      } finally {
        other.release();
      }
    });
  });

  describe('events and tasks across processes', () => {
    test('an event wait and a delivery of its event on different connections never miss each other', {
      skip,
    }, async (t) => {
      const {
        stores: [waiter, sender],
      } = await freshStores(t, 2);
      const pairs = 120;
      const runs: RunRecord[] = [];
      for (let i = 0; i < pairs; i++) {
        runs.push((await waiter!.createRun(newRun(), { owner: 'w', leaseMs: 60_000 })).run);
      }
      const type = (i: number) => `shipment.dispatched.${i % 4}`;
      const results = await Promise.all(
        runs.map(async (run, i) => {
          const wait = { type: type(i), match: { n: i }, since: T };
          // staggered by a few turns of the event loop, so pairs fall into different batches on each side
          const [committed, delivered] = await Promise.all([
            ticks(i % 3).then(() =>
              waiter!.commit({
                runId: run.id,
                leaseToken: run.leaseToken,
                wakeSeq: run.wakeSeq,
                at: T + 2,
                eventWaits: [
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
              }),
            ),
            ticks((i + 1) % 4).then(() =>
              sender!.deliverEvent({ id: `ev-${run.id}`, type: type(i), data: { n: i }, receivedAt: T + 1 }),
            ),
          ]);
          return { run, committed, delivered };
        }),
      );
      let byLookback = 0;
      let byDelivery = 0;
      for (const { run, committed, delivered } of results) {
        assert.ok(committed.ok);
        const fromLookback = committed.resolved.length === 1;
        const fromDelivery = delivered.woke.includes(run.id);
        assert.ok(fromLookback !== fromDelivery, `run ${run.id}: exactly one side matched the event`);
        if (fromLookback) byLookback++;
        else byDelivery++;
        const [entry] = await waiter!.loadJournal(run.id);
        assert.equal(entry?.status, 'completed');
        assert.equal(entry?.eventId, `ev-${run.id}`);
      }
      t.diagnostic(`matched by lookback: ${byLookback}, by delivery: ${byDelivery}`);
    });

    test('overdue tasks are escalated once when several processes escalate at once', { skip }, async (t) => {
      const { stores } = await freshStores(t, 3);
      const store = stores[0]!;
      const taskIds: string[] = [];
      for (let r = 0; r < 5; r++) {
        const { run } = await store.createRun(newRun(), { owner: 'w', leaseMs: 60_000 });
        const tasks = Array.from({ length: 6 }, (_, p) => ({
          id: `task-${r}-${p}-${randomBytes(4).toString('hex')}`,
          runId: run.id,
          position: p,
          kind: 'approval',
          title: `Approve ${p}`,
          role: 'ops',
          outcomes: ['approve'],
          dueAt: T + 1000,
          escalateTo: p % 2 === 0 ? 'ops-lead' : undefined,
          createdAt: T,
        }));
        taskIds.push(...tasks.map((x) => x.id));
        const res = await store.commit({
          runId: run.id,
          leaseToken: run.leaseToken,
          wakeSeq: run.wakeSeq,
          at: T,
          journal: tasks.map((x) => ({
            position: x.position,
            kind: 'task' as const,
            name: x.title,
            status: 'pending' as const,
            attempts: 0,
            startedAt: T,
          })),
          tasks,
          run: { status: 'waiting', release: true },
        });
        assert.ok(res.ok);
      }
      const rounds = await Promise.all(
        stores.flatMap((s) => [s.escalateDueTasks(T + 5000), s.escalateDueTasks(T + 5000)]),
      );
      const escalated = rounds.flat().map((x) => x.id);
      assert.equal(escalated.length, taskIds.length, 'each task is returned once');
      assert.deepEqual(new Set(escalated), new Set(taskIds));
      const { rows } = await admin().query(
        `SELECT count(*)::int AS n FROM "${stores[0]!.schema}".history WHERE type IN ('task.escalated', 'task.overdue')`,
      );
      assert.equal(rows[0].n, taskIds.length, 'one history row per task');
    });
  });

  describe('push wake-ups', () => {
    test('a listener is called when another store instance makes a run runnable', { skip }, async (t) => {
      const appName = `baton-test-${randomBytes(4).toString('hex')}`;
      const {
        stores: [watcher, writer],
      } = await freshStores(t, 2, { applicationName: appName });
      const calls = nextCall();
      const unsubscribe = await watcher!.watch(calls.listener);

      await writer!.createRun(newRun());
      await calls.next();

      // an event that completes a wait wakes its run
      const { run } = await writer!.createRun(newRun(), { owner: 'w', leaseMs: 60_000 });
      const wait = { type: 'payment.captured', since: T };
      await writer!.commit({
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
      await writer!.deliverEvent({ id: `ev-${run.id}`, type: wait.type, data: {}, receivedAt: T + 1 });
      await calls.next();

      await unsubscribe();
      const listening = async () =>
        (
          await admin().query(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 || ' listener'",
            [appName],
          )
        ).rows[0].n as number;
      await eventually(async () => (await listening()) === 0, 'the listener connection is closed');
    });

    test('the listener reconnects when its connection is terminated', { skip }, async (t) => {
      const appName = `baton-test-${randomBytes(4).toString('hex')}`;
      const {
        stores: [watcher, writer],
      } = await freshStores(t, 2, { applicationName: appName });
      const calls = nextCall();
      await watcher!.watch(calls.listener);
      const killed = await admin().query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 || ' listener'",
        [appName],
      );
      assert.equal(killed.rowCount, 1);
      // back on the channel, the listener reports a wake-up for whatever it may have missed
      await calls.next();
      await writer!.createRun(newRun());
      await calls.next();
    });
  });

  describe('close', () => {
    test('close lets queued writes land, then refuses new ones', { skip }, async (t) => {
      const schema = freshSchema();
      t.after(() => dropSchema(schema));
      const store = await openPostgresStore({ url, schema });
      const runs: RunRecord[] = [];
      for (let i = 0; i < 10; i++)
        runs.push((await store.createRun(newRun(), { owner: 'w', leaseMs: 60_000 })).run);
      const pending = runs.map((r, i) =>
        store.commit({
          runId: r.id,
          leaseToken: r.leaseToken,
          wakeSeq: r.wakeSeq,
          at: T + 1,
          journal: [
            {
              position: 0,
              kind: 'step',
              name: 'a',
              status: 'completed',
              result: { i },
              attempts: 1,
              startedAt: T,
            },
          ],
        }),
      );
      await store.close();
      assert.ok((await Promise.all(pending)).every((r) => r.ok));
      await assert.rejects(store.getRun(runs[0]!.id), /closed/);
      const again = await openPostgresStore({ url, schema });
      try {
        for (const [i, r] of runs.entries())
          assert.deepEqual((await again.loadJournal(r.id))[0]?.result, { i });
        await assert.rejects(again.requestCancel('missing', T, 'x'), NotFoundError);
      } finally {
        await again.close();
      }
    });
  });
});
