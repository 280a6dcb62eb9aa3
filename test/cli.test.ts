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

test('the quick start runs the demo retail day to the end on a fresh database', () => {
  const r = baton(db, 'start', '--exit-when-done', '--port', '0');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /retail day: 10 runs — 10 completed/);
  assert.match(r.out, /effects applied twice by the estate: 0/);
  assert.match(r.out, /✓ validate-price/);
});

test('runs list, show and filters work on the embedded database, as text and JSON', () => {
  const all = JSON.parse(baton(db, 'runs', 'list', '--json').out) as RunRecord[];
  assert.equal(all.length, 10);
  const web = JSON.parse(
    baton(db, 'runs', 'list', '--workflow', 'order.release', '--tag', 'channel=web', '--json').out,
  ) as RunRecord[];
  assert.equal(web.length, 3);
  assert.ok(web.every((r) => r.tags.channel === 'web'));
  const text = baton(db, 'runs', 'list', '--status', 'completed', '--limit', '2');
  assert.equal(text.code, 0);
  assert.equal(text.out.trim().split('\n').length, 3, 'a header and two rows');
  const show = baton(db, 'runs', 'show', web[0]!.id);
  assert.match(show.out, /journal/);
  assert.match(show.out, /validate-price/);
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
  const server: ChildProcess = spawn(process.execPath, [BIN, '--db', live, 'start', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  after(() => server.kill('SIGKILL'));
  let out = '';
  server.stdout?.on('data', (d) => {
    out += d;
  });
  await eventually(() => out.includes('waiting for you'), 60_000, 'the demo to leave a task');
  const tasks = JSON.parse(
    baton(live, 'tasks', 'list', '--role', 'store-operations', '--json').out,
  ) as TaskRecord[];
  assert.equal(tasks.length, 1);
  const r = baton(live, 'tasks', 'complete', tasks[0]!.id, '--outcome', 'approve', '--by', 'sam.store');
  assert.equal(r.code, 0, r.err);
  const run = await eventually(
    () => {
      const [x] = JSON.parse(
        baton(live, 'runs', 'list', '--status', 'completed', '--workflow', 'transfer.store', '--json').out,
      ) as RunRecord[];
      const all = JSON.parse(
        baton(live, 'runs', 'list', '--status', 'completed', '--json').out,
      ) as RunRecord[];
      return all.length === 10 ? x : undefined;
    },
    60_000,
    'the transfer to complete',
  );
  assert.ok(run);
  server.kill('SIGTERM');
  const code = await new Promise((r) => server.on('exit', r));
  assert.equal(code, 0);
  assert.match(out, /stopping/);
});
