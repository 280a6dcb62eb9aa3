import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describeReport, scenarioReport } from '../../retail/index.js';
import type { GlobalOptions } from '../context.js';
import { startEstate } from '../estate/run.js';
import { type Io, json } from '../output.js';

export function registerDemo(program: Command, io: Io): void {
  const demo = program
    .command('demo')
    .description('run a scenario once on the simulated estate and report it');
  demo
    .command('promotion')
    .description(
      'the flagship scenario: a promotion across e-commerce and every store, the demand it causes, until every run settles',
    )
    .option('--seed <seed>', 'seed of the simulated estate and its demand', '1')
    .option('--orders <n>', 'orders placed while the promotion runs (default 40)', (v) => Number(v))
    .option('--json', 'print the report as JSON')
    .action(async (o: { seed: string; orders?: number; json?: boolean }) => {
      const global = program.opts<GlobalOptions>();
      const db = global.db ?? join(mkdtempSync(join(tmpdir(), 'baton-demo-')), 'demo.db');
      const dayMs = 1000;
      const started = Date.now();
      const run = await startEstate({
        global: { ...global, db },
        seed: o.seed,
        pace: { dayMs, ordersPerDay: 40, returnEvery: 8, promotionEveryMs: 0, reactionMs: 100 },
        onError: (m) => io.err(`baton: estate: ${m}`),
      });
      try {
        const say = (s: string) => {
          if (!o.json) io.out(s);
        };
        say(
          `promotion demo on ${db}: ${run.sim.estate.stores.length} stores and the web shop (seed ${run.sim.seed})`,
        );
        const launched = new Promise<void>((resolve) => {
          const off = run.bus.subscribe('promotion.launched', () => {
            off();
            resolve();
          });
        });
        const promotionId = await run.launchPromotion();
        say(`${promotionId} approved; waiting for the launch`);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([launched, new Promise((r) => (timer = setTimeout(r, 120_000)))]);
        clearTimeout(timer);
        const orders = o.orders ?? 40;
        say(`launched; ${orders} orders follow, half of them for promoted items`);
        for (let i = 0; i < orders; i++) {
          await run.publishOrder();
          await new Promise((r) => setTimeout(r, dayMs / 40));
        }
        const settled = await run.settle(240_000);
        const report = await scenarioReport(run.engine, started);
        const out = {
          promotionId,
          stores: run.sim.estate.stores.length,
          settled,
          durationMs: Date.now() - started,
          ...report,
        };
        if (o.json) io.out(json(out));
        else {
          for (const line of describeReport(report)) io.out(line);
          io.out(
            `${settled ? 'every run settled' : 'some runs did not settle'} in ${(out.durationMs / 1000).toFixed(1)} s`,
          );
        }
        if (report.runsFailed > 0 || !settled)
          throw new Error(`${report.runsFailed} run(s) failed${settled ? '' : '; some runs did not settle'}`);
      } finally {
        await run.close();
      }
    });
}
