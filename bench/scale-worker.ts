/**
 * One worker process of the scale benchmark: executes `bench.five-steps` runs on PostgreSQL until
 * its stdin closes. Usage: scale-worker.ts <postgres-url> <schema>
 */
import { Engine } from '../src/engine/index.js';
import { openPostgresStore } from '../src/store/index.js';
import { fiveSteps } from './workflows.js';

const [url, schema] = process.argv.slice(2);
if (!url || !schema) throw new Error('usage: scale-worker.ts <postgres-url> <schema>');
const store = await openPostgresStore({ url, schema, migrate: false, pool: { max: 8 } });
const engine = new Engine({
  store,
  workflows: [fiveSteps],
  config: { worker: { concurrency: 64, pollIntervalMs: 100 } },
});
engine.start();
process.stdout.write('ready\n');
process.stdin.resume();
process.stdin.on('end', async () => {
  await engine.stop(2000);
  await store.close();
  process.exit(0);
});
