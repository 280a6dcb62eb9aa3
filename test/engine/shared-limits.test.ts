import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { defineWorkflow, Engine } from '../../src/engine/index.js';
import { openPostgresStore } from '../../src/store/index.js';
import { postgresAvailable, postgresUrl, skipReason } from '../backends.js';
import { sleep } from '../helpers.js';

describe('resource limits across processes (PostgreSQL)', {
  skip: skipReason(await postgresAvailable()),
}, () => {
  test('two workers with their own connections never exceed the shared limits of a resource', async () => {
    const schema = `limits_${process.pid}`;
    after(async () => {
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: postgresUrl() });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    });
    let inErp = 0;
    let peak = 0;
    const starts: number[] = [];
    const wf = defineWorkflow({
      name: 'test.shared-erp',
      version: 1,
      async run(ctx) {
        await ctx.step(
          'erp',
          async () => {
            starts.push(Date.now());
            inErp++;
            peak = Math.max(peak, inErp);
            await sleep(20);
            inErp--;
          },
          { resource: 'erp' },
        );
      },
    });
    const config = {
      resources: { erp: { maxConcurrent: 3, perSecond: 40 } },
      worker: { pollIntervalMs: 20, concurrency: 16 },
    };
    // two engines, each with its own pool: as two worker processes would be
    const stores = [
      await openPostgresStore({ url: postgresUrl(), schema }),
      await openPostgresStore({ url: postgresUrl(), schema }),
    ];
    const engines = stores.map((store) => new Engine({ store, workflows: [wf], config }).start());
    after(async () => {
      for (const e of engines) await e.stop(1000);
      for (const s of stores) await s.close();
    });
    const runs = await Promise.all(Array.from({ length: 60 }, (_, i) => engines[i % 2]!.startRun(wf, {})));
    await Promise.all(runs.map((r) => engines[0]!.waitForRun(r.id, 60_000)));
    assert.ok(peak <= 3, `peak concurrency across both workers was ${peak}`);
    assert.equal(peak, 3, 'the limit was reached, so it was what held the calls back');
    starts.sort((a, b) => a - b);
    // 40 tokens up front, then 40 per second: the 60th call cannot start before about half a second
    assert.ok(starts[59]! - starts[0]! >= 400, `60 calls at 40/s took only ${starts[59]! - starts[0]!} ms`);
  });
});
