/**
 * graphile-worker: a workflow is a chain of five tasks, `step-1` … `step-5`. Each task does its step
 * and adds the job of the next one with `helpers.addJob` (the payload carries the workflow id and the
 * running value); the runner's own `addJob` starts a workflow.
 *
 * Durability: every job is a row in graphile-worker's jobs table. A step's successor is inserted
 * before the step's job is completed (deleted), so a crash leaves either the successor queued or the
 * step's job locked, to be retried once its lock expires: no step of a started workflow is lost
 * (at-least-once). New jobs wake the pool through LISTEN/NOTIFY, so there is no polling delay.
 *
 * Completion: the runner's `job:success` event for the `step-5` job, emitted in this process when
 * the task has returned and its completion statement is issued (graphile-worker does not wait for
 * it before emitting; completion batching stays off, its default, so the statement goes at once).
 */
import { runBenchmark } from './harness.js';
import { STEPS } from './protocol.js';

/**
 * Tasks run at once, and the pool size the library advises for it (`concurrency + 2`). A pool of 20
 * and its local queue (batched fetching, sizes 16 and 65) were tried as well and did no better here.
 */
const CONCURRENCY = 64;
const POOL_SIZE = CONCURRENCY + 2;

interface StepPayload {
  wf: string;
  acc: number;
}

// graphile-worker formats a log line for every successful job unless this is set when it loads
process.env.NO_LOG_SUCCESS = '1';
const { Logger, run } = await import('graphile-worker');

await runBenchmark(async (config) => {
  if (!config.databaseUrl) throw new Error('no database was prepared for graphile');
  const waiting = new Map<string, () => void>();
  const taskList = Object.fromEntries(
    Array.from({ length: STEPS }, (_, i) => [
      `step-${i + 1}`,
      async (
        payload: unknown,
        helpers: { addJob: (task: string, payload: StepPayload) => Promise<unknown> },
      ) => {
        const { wf, acc } = payload as StepPayload;
        const next = acc + 1; // the step's work
        if (i + 1 < STEPS) await helpers.addJob(`step-${i + 2}`, { wf, acc: next });
      },
    ]),
  );
  const runner = await run({
    connectionString: config.databaseUrl,
    concurrency: CONCURRENCY,
    maxPoolSize: POOL_SIZE,
    noHandleSignals: true,
    taskList,
    logger: new Logger(() => (level, message) => {
      if (level === 'error') process.stderr.write(`graphile-worker: ${message}\n`);
    }),
  });
  runner.events.on('job:success', ({ job }) => {
    if (job.task_identifier === `step-${STEPS}`) waiting.get((job.payload as StepPayload).wf)?.();
  });

  return {
    setup: `graphile-worker 0.17.3, concurrency ${CONCURRENCY}, pool ${POOL_SIZE}, LISTEN/NOTIFY`,
    async runOne(i) {
      const wf = `wf-${i}`;
      const done = new Promise<void>((resolve) => waiting.set(wf, resolve));
      await runner.addJob('step-1', { wf, acc: i });
      await done;
      waiting.delete(wf);
    },
    close: () => runner.stop(),
  };
});
