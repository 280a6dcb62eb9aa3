import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { parseDmn, toDmnXml } from '../../src/rules/index.js';
import { tempDir } from '../helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = tempDir();
const db = join(dir, 'baton.db');

async function baton(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['--db', db, ...args], { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The shipped transfer policy with the small-transfer limit at `limit`, written to a file. */
async function editedFile(name: string, limit: number): Promise<string> {
  const defs = await parseDmn(readFileSync(join(ROOT, 'rules', 'transfer-policy.dmn'), 'utf8'));
  defs.decisions[0]!.rules.find((r) => r.id === 'transfer-approval_small')!.inputEntries[0] = `<= ${limit}`;
  const path = join(dir, name);
  writeFileSync(path, await toDmnXml(defs));
  return path;
}

const draftIdOf = (text: string) => /draft (\S+) by/.exec(text)?.[1] ?? '';

test('the CLI proposes, refuses self-approval, and publishes when another person approves', async () => {
  const seeded = await baton('rules', 'seed');
  assert.equal(seeded.code, 0, seeded.err);
  assert.match(seeded.out, /^transfer_policy: seeded as version 1$/m);
  assert.match((await baton('rules', 'seed')).out, /^transfer_policy: exists, unchanged$/m);

  const proposed = await baton(
    'rules',
    'propose',
    await editedFile('t800.dmn', 800),
    '--by',
    'user:ana',
    '--comment',
    'raise',
  );
  assert.equal(proposed.code, 0, proposed.err);
  assert.match(proposed.out, /~ rule transfer-approval_small: Transfer value "<= 500" → "<= 800"/);
  assert.deepEqual(
    proposed.out.split('\n').filter((l) => /^ {2}[~+-] rule /.test(l)).length,
    1,
    'exactly the one changed rule',
  );
  const id = draftIdOf(proposed.out);
  assert.ok(id);

  const self = await baton('rules', 'approve', id, '--by', 'user:ana');
  assert.equal(self.code, 1);
  assert.match(self.err, /^baton: maker-checker: user:ana proposed draft \S+ and cannot approve it/);
  assert.equal(self.out, '');

  const listed = await baton('rules', 'drafts', '--status', 'open', '--json');
  assert.deepEqual(
    JSON.parse(listed.out).map((d: { id: string; author: string }) => [d.id, d.author]),
    [[id, 'user:ana']],
  );
  assert.match((await baton('rules', 'diff', id)).out, /against version 1/);

  const approved = await baton('rules', 'approve', id, '--by', 'user:ben');
  assert.equal(approved.code, 0, approved.err);
  assert.equal(
    approved.out,
    'published transfer_policy version 2 (proposed by user:ana, approved by user:ben)',
  );
  const versions = JSON.parse((await baton('rules', 'versions', 'transfer_policy', '--json')).out);
  assert.deepEqual(
    versions.map((v: { version: number; approvedBy: string }) => [v.version, v.approvedBy]),
    [
      [1, 'system'],
      [2, 'user:ben'],
    ],
  );
  const active = JSON.parse((await baton('rules', 'active', 'transfer-approval')).out);
  assert.equal(active.table.version, 'transfer_policy@2');
});

test('reject keeps the published version; overrides are proposed from a file and withdrawn', async () => {
  const proposed = await baton('rules', 'propose', await editedFile('t9000.dmn', 9000), '--by', 'user:ana');
  const id = draftIdOf(proposed.out);
  const noReason = await baton('rules', 'reject', id, '--by', 'user:ben');
  assert.equal(noReason.code, 2);
  const rejected = await baton('rules', 'reject', id, '--by', 'user:ben', '--reason', 'too generous');
  assert.equal(rejected.code, 0, rejected.err);
  assert.equal((await baton('rules', 'approve', id, '--by', 'user:cy')).code, 1);
  assert.equal(JSON.parse((await baton('rules', 'active', 'transfer-approval')).out).setVersion, 2);

  const north = await baton(
    'rules',
    'override',
    'transfer-approval',
    'north',
    await editedFile('north.dmn', 100),
    '--by',
    'user:ana',
  );
  assert.equal(north.code, 0, north.err);
  assert.match(north.out, /override of transfer-approval for region north/);
  const overrideId = draftIdOf(north.out);
  assert.equal((await baton('rules', 'approve', overrideId, '--by', 'user:ana')).code, 1);
  const ok = await baton('rules', 'approve', overrideId, '--by', 'user:ben');
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /approved the north override of transfer-approval, version 1/);
  const a = JSON.parse((await baton('rules', 'active', 'transfer-approval', '--region', 'north')).out);
  assert.equal(a.table.version, 'transfer_policy@2/north@1');
  assert.match((await baton('rules', 'overrides')).out, /transfer-approval\s+north\s+1\s+active/);

  const withdraw = await baton(
    'rules',
    'override',
    'transfer-approval',
    'north',
    '--withdraw',
    '--by',
    'user:cy',
  );
  assert.equal(withdraw.code, 0, withdraw.err);
  assert.equal((await baton('rules', 'approve', draftIdOf(withdraw.out), '--by', 'user:ben')).code, 0);
  const back = JSON.parse((await baton('rules', 'active', 'transfer-approval', '--region', 'north')).out);
  assert.equal(back.table.version, 'transfer_policy@2');
  assert.equal((await baton('rules', 'override', 'transfer-approval', 'north', '--by', 'user:cy')).code, 2);
});
