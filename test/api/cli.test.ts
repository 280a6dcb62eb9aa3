import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { eventually, tempDir } from '../helpers.js';
import { cloudEvent } from './fixture.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'baton.js');
const db = join(tempDir(), 'api-cli.db');

function baton(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--db', db, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** `baton start` on a free port; resolves once the API answers, with its address and printed output. */
async function startBaton(): Promise<{ child: ChildProcess; url: string; out: () => string }> {
  const child = spawn(process.execPath, [BIN, '--db', db, 'start', '--no-demo', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  after(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const url = await eventually(() => /HTTP API on (http:\/\/\S+)/.exec(out)?.[1], 60_000, 'the API address');
  return { child, url, out: () => out };
}

async function stop(child: ChildProcess): Promise<number | null> {
  child.kill('SIGTERM');
  return new Promise((r) => child.on('exit', r));
}

test('baton start serves the API on a real socket and prints the first admin key once', async () => {
  const first = await startBaton();
  const key = await eventually(
    () => /first admin key[^\n]*\n\s+(bk_\S+)/.exec(first.out())?.[1],
    10_000,
    'the first admin key',
  );
  assert.ok(key, first.out());
  const ready = await fetch(`${first.url}/ready`);
  assert.equal(ready.status, 200);
  const ev = cloudEvent('order.created');
  const posted = await fetch(`${first.url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify(ev),
  });
  assert.equal(posted.status, 202);
  assert.equal(((await posted.json()) as { accepted: number }).accepted, 1);
  const refused = await fetch(`${first.url}/v1/keys`);
  assert.equal(refused.status, 401);
  assert.match(String(refused.headers.get('content-type')), /problem\+json/);
  assert.equal(await stop(first.child), 0);

  const second = await startBaton();
  assert.doesNotMatch(second.out(), /first admin key/, 'printed only on a fresh database');
  const listed = await fetch(`${second.url}/v1/keys`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(listed.status, 200, 'the key survives a restart');
  assert.equal(await stop(second.child), 0);
});

test('a port in use is one clear line and a non-zero exit, with nothing left running', async () => {
  const { createServer } = await import('node:net');
  const holder = createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  after(() => holder.close());
  const port = String((holder.address() as { port: number }).port);
  const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, '--db', db, 'start', '--no-demo', '--port', port], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => resolve({ code, err }));
  });
  assert.equal(r.code, 1);
  assert.match(
    r.err,
    new RegExp(`^baton: cannot serve the HTTP API on 127\\.0\\.0\\.1:${port}: the address is in use`),
  );
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
});

test('baton keys create, list and revoke', () => {
  const made = baton(
    'keys',
    'create',
    '--name',
    'shop-bridge',
    '--role',
    'integrator',
    '--scope',
    'events:publish:order.*',
    '--principal',
    'svc:shop',
    '--json',
  );
  assert.equal(made.code, 0, made.err);
  const { key, secret } = JSON.parse(made.out) as { key: { id: string; principal: string }; secret: string };
  assert.match(secret, /^bk_[0-9a-f]{8}_/);
  assert.equal(key.principal, 'svc:shop');
  const text = baton('keys', 'create', '--name', 'ops', '--role', 'operator');
  assert.match(text.out, /shown this once/);
  const list = baton('keys', 'list', '--json');
  assert.ok(!list.out.includes(secret), 'secrets are never listed');
  const keys = JSON.parse(list.out) as Array<{ id: string; hash?: string }>;
  assert.ok(keys.some((k) => k.id === key.id));
  assert.ok(keys.every((k) => k.hash === undefined));
  assert.match(baton('keys', 'list').out, /shop-bridge/);
  const revoked = baton('keys', 'revoke', key.id);
  assert.equal(revoked.code, 0, revoked.err);
  assert.match(revoked.out, /revoked/);

  const cases: Array<[string[], number, RegExp]> = [
    [['keys', 'create', '--name', 'x', '--role', 'king'], 2, /"king" is not a role/],
    [
      ['keys', 'create', '--name', 'x', '--role', 'operator', '--scope', 'fly:away'],
      1,
      /names no permission/,
    ],
    [['keys', 'revoke', key.id], 1, /already revoked/],
    [['keys', 'revoke', 'nope'], 1, /^baton: key nope not found$/],
  ];
  for (const [args, code, pattern] of cases) {
    const r = baton(...args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(r.err.trim(), pattern);
  }
});

test('baton audit verify finds a record edited in the database file', () => {
  const ok = baton('audit', 'verify');
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /audit chain intact: \d+ records/);
  const list = JSON.parse(baton('audit', 'list', '--json').out) as Array<{ seq: number; action: string }>;
  assert.ok(list.some((r) => r.action === 'key.revoked'));
  assert.match(baton('audit', 'list', '--action', 'key.created').out, /key\.created/);

  const file = new Database(db);
  file
    .prepare('UPDATE audit SET after_value = ? WHERE seq = 2')
    .run(JSON.stringify({ roles: ['admin'], note: 'quietly widened' }));
  file.close();
  const broken = baton('audit', 'verify');
  assert.equal(broken.code, 1);
  assert.equal(
    broken.err.trim(),
    'baton: audit chain broken at record 2: record 2 was altered: its content does not match its hash',
  );
  const report = JSON.parse(baton('audit', 'verify', '--json').out);
  assert.deepEqual([report.ok, report.brokenAt], [false, 2]);
});
