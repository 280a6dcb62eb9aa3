/**
 * pg-boss: a workflow is a chain of five jobs on one queue. Each job does its step, sends the job
 * of the next step (its payload carries the workflow id, the step number and the running value) and
 * returns, which completes it. pg-boss 10 has no flow or dependency feature, so the chain is how a
 * multi-step process is written with it; one queue rather than five keeps one set of workers busy
 * instead of five sets polling mostly empty queues.
 *
 * Durability: every job is a row in pg-boss's job table. A step's successor is inserted before the
 * step's job is marked completed, so a crash at any point leaves either the successor in the queue
 * or the step's job active, to be retried when it expires: no step of a started workflow is lost
 * (at-least-once, like every job queue).
 *
 * Wake-ups: pg-boss 10 workers poll, at most every 0.5 s (the shortest interval it accepts). Every
 * `send` is followed by `notifyWorker`, the documented way to have a worker in the same process
 * fetch at once instead of waiting out the rest of its polling interval.
 *
 * Completion: the fifth job's handler, in this process, reports the workflow done when it returns.
 * pg-boss issues that job's completion right after, without the caller waiting for it, so the last
 * completion is not yet committed when the workflow is counted (graphile-worker is counted the same
 * way); this can only flatter pg-boss, by about one round trip.
 */
import PgBoss from 'pg-boss';
import { runBenchmark } from './harness.js';
import { STEPS } from './protocol.js';

const QUEUE = 'bench-step';
/**
 * Workers (`work` loops) and the jobs each fetches at once, so 64 jobs can be in hand together.
 * Tried here: 64 x 1, 16 x 4, 8 x 8, 4 x 16, 2 x 32 and 1 x 64; fewer, larger fetches did best (each
 * fetch is a query, and a worker waits for its whole batch before it fetches again).
 */
const WORKERS = 2;
const BATCH = 32;
const POOL_SIZE = 16;

interface StepJob {
  wf: string;
  step: number;
  acc: number;
}

await runBenchmark(async (config) => {
  if (!config.databaseUrl) throw new Error('no database was prepared for pgboss');
  const boss = new PgBoss({ connectionString: config.databaseUrl, max: POOL_SIZE, schedule: false });
  boss.on('error', (e) => process.stderr.write(`pg-boss: ${e.message}\n`));
  await boss.start();
  await boss.createQueue(QUEUE);

  const waiting = new Map<string, () => void>();
  const workerIds: string[] = [];
  let nextWorker = 0;
  const send = async (job: StepJob) => {
    await boss.send(QUEUE, job);
    boss.notifyWorker(workerIds[nextWorker++ % workerIds.length] as string);
  };

  for (let w = 0; w < WORKERS; w++) {
    const id = await boss.work<StepJob>(
      QUEUE,
      { batchSize: BATCH, pollingIntervalSeconds: 0.5 },
      async (jobs) => {
        const finished: string[] = [];
        await Promise.all(
          jobs.map(async ({ data }) => {
            const acc = data.acc + 1; // the step's work
            if (data.step < STEPS) await send({ wf: data.wf, step: data.step + 1, acc });
            else finished.push(data.wf);
          }),
        );
        for (const wf of finished) waiting.get(wf)?.();
      },
    );
    workerIds.push(id);
  }

  return {
    setup: `pg-boss 10.4.2, ${WORKERS} workers x batch ${BATCH}, poll 0.5 s + notifyWorker, pool ${POOL_SIZE}`,
    async runOne(i) {
      const wf = `wf-${i}`;
      const done = new Promise<void>((resolve) => waiting.set(wf, resolve));
      await send({ wf, step: 1, acc: i });
      await done;
      waiting.delete(wf);
    },
    close: () => boss.stop({ graceful: false, wait: true, timeout: 5_000 }),
  };
});
