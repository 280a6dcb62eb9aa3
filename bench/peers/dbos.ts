/**
 * DBOS Transact (@dbos-inc/dbos-sdk): a registered workflow that calls `DBOS.runStep` five times.
 *
 * Durability: starting the workflow inserts its status row (with its input) into the
 * `workflow_status` table of the DBOS system database, and each step's output is written to
 * `operation_outputs` before the workflow goes on; after a crash, recovery re-runs the workflow and
 * each recorded step returns its stored output instead of running again. Completion is observed with
 * `handle.getResult()`, which resolves once the workflow's final status and result are recorded.
 */
import { DBOS } from '@dbos-inc/dbos-sdk';
import { runBenchmark } from './harness.js';
import { STEPS } from './protocol.js';

/** Connections of the system database pool (DBOS's default is 10; 64 workflows at once use more). */
const POOL_SIZE = 20;

await runBenchmark(async (config) => {
  if (!config.databaseUrl) throw new Error('no database was prepared for dbos');
  DBOS.setConfig({
    name: 'baton-bench',
    systemDatabaseUrl: config.databaseUrl,
    systemDatabasePoolSize: POOL_SIZE,
    logLevel: 'error',
  });
  const fiveSteps = DBOS.registerWorkflow(
    async (input: number) => {
      let acc = input;
      for (let i = 0; i < STEPS; i++) {
        const current = acc;
        acc = await DBOS.runStep(async () => current + 1, { name: `step-${i}` });
      }
      return acc;
    },
    { name: 'fiveSteps' },
  );
  await DBOS.launch();
  return {
    setup: `@dbos-inc/dbos-sdk 5.3.0, system database pool ${POOL_SIZE}`,
    async runOne(i) {
      const handle = await DBOS.startWorkflow(fiveSteps)(i);
      await handle.getResult();
    },
    close: () => DBOS.shutdown(),
  };
});
