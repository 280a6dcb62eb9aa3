import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { RunRecord, TaskRecord } from '../src/store/index.js';
import { eventually, tempDir } from './helpers.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'baton.js');

function baton(db: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--db', db, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const db = join(tempDir(), 'cli.db');

test('baton --help lists the commands', () => {
  const r = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  for (const c of ['start', 'runs', 'tasks']) assert.match(r.stdout, new RegExp(`\\n  ${c}`));
  const runs = spawnSync(process.execPath, [BIN, 'runs', '--help'], { encoding: 'utf8' });
  for (const c of ['list', 'show', 'cancel', 'retry', 'restart'])
    assert.match(runs.stdout, new RegExp(`\\n  ${c}`));
});

const FLOWS = [
  'order.fulfilment',
  'transfer.stock',
  'return.refund-flow',
  'replenishment.procure',
  'promotion.launch',
];
const SMALL = ['--stores', '12', '--skus', '200'];

test('the quick start runs the main job for a bounded period on a fresh database', () => {
  const r = spawnSync(
    process.execPath,
    [BIN, '--db', db, 'start', '--exit-when-done', '--port', '0', ...SMALL],
    {
      encoding: 'utf8',
      timeout: 180_000,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /HTTP API on http:\/\/127\.0\.0\.1:\d+ \(docs at http:\/\/127\.0\.0\.1:\d+\/docs/);
  assert.match(r.stdout, /every run settled/);
  for (const flow of FLOWS)
    assert.match(
      r.stdout,
      new RegExp(`\\n  ${flow.replace('.', '\\.')}\\s+[1-9]\\d* completed\\n`),
      `${flow} completed runs`,
    );
  assert.doesNotMatch(r.stdout, /failed/);
  assert.match(r.stdout, /open tasks by role: none/);
});

test('runs list, show and filters work on the embedded database, as text and JSON', () => {
  const all = JSON.parse(baton(db, 'runs', 'list', '--limit', '10000', '--json').out) as RunRecord[];
  assert.ok(all.length > 20);
  assert.ok(all.every((r) => r.status === 'completed'));
  const web = JSON.parse(
    baton(db, 'runs', 'list', '--workflow', 'order.fulfilment', '--tag', 'channel=web', '--json').out,
  ) as RunRecord[];
  assert.ok(web.length > 0);
  assert.ok(web.every((r) => r.tags.channel === 'web' && r.workflow === 'order.fulfilment'));
  const text = baton(db, 'runs', 'list', '--status', 'completed', '--limit', '2');
  assert.equal(text.code, 0);
  assert.equal(text.out.trim().split('\n').length, 3, 'a header and two rows');
  const show = baton(db, 'runs', 'show', web[0]!.id);
  assert.match(show.out, /journal/);
  assert.match(show.out, /release-to-wms/);
  const shown = JSON.parse(baton(db, 'runs', 'show', web[0]!.id, '--json').out);
  assert.equal(shown.run.id, web[0]!.id);
  assert.ok(shown.journal.length >= 5);
});

test('bad input gives one readable line and a non-zero exit', () => {
  const all = JSON.parse(baton(db, 'runs', 'list', '--json').out) as RunRecord[];
  const cases: Array<[string[], number, RegExp]> = [
    [['runs', 'show', 'no-such-run'], 1, /^baton: run no-such-run not found$/],
    [['runs', 'retry', all[0]!.id], 1, /^baton: only failed runs can be retried/],
    [['runs', 'cancel', all[0]!.id], 1, /already completed/],
    [['runs', 'list', '--status', 'bogus'], 2, /"bogus" is not a run status/],
    [['runs', 'restart', all[0]!.id, '--from', '-1'], 2, /not a non-negative integer|unknown option/],
    [['tasks', 'complete', 'nope', '--outcome', 'x', '--by', 'me'], 1, /^baton: task nope not found$/],
    [
      ['tasks', 'complete', 'nope', '--outcome', 'x', '--by', 'me', '--values', '{bad'],
      2,
      /--values is not valid JSON/,
    ],
    [['nonsense'], 2, /unknown command/],
  ];
  for (const [args, code, pattern] of cases) {
    const r = baton(db, ...args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
    assert.equal(r.err.trim().split('\n').length, 1, `${args.join(' ')} printed: ${r.err}`);
    assert.match(r.err.trim(), pattern);
  }
});

test('a task left for a person is completed from the CLI while Baton runs, and its run finishes', async () => {
  const live = join(tempDir(), 'live.db');
  const server: ChildProcess = spawn(
    process.execPath,
    [BIN, '--db', live, 'start', '--port', '0', ...SMALL],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  after(() => server.kill('SIGKILL'));
  let out = '';
  server.stdout?.on('data', (d) => {
    out += d;
  });
  await eventually(() => out.includes('waiting for you'), 60_000, 'the main job to leave a task');
  assert.match(out, /runs by flow and state:/);
  const tasks = JSON.parse(
    baton(live, 'tasks', 'list', '--role', 'store-operations', '--status', 'open', '--json').out,
  ) as TaskRecord[];
  assert.equal(tasks.length, 1);
  const runId = tasks[0]!.runId;
  const r = baton(live, 'tasks', 'complete', tasks[0]!.id, '--outcome', 'approve', '--by', 'sam.store');
  assert.equal(r.code, 0, r.err);
  const run = await eventually(
    () => {
      const shown = JSON.parse(baton(live, 'runs', 'show', runId, '--json').out) as { run: RunRecord };
      return shown.run.status === 'completed' ? shown.run : undefined;
    },
    60_000,
    'the transfer to complete',
  );
  assert.equal(run.workflow, 'transfer.stock');
  server.kill('SIGTERM');
  const code = await new Promise((r) => server.on('exit', r));
  assert.equal(code, 0);
  assert.match(out, /stopping/);
});
