import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { recordChange, verifyAuditChain } from '../../src/api/index.js';
import { auditHash, openSqliteStore } from '../../src/store/index.js';
import { tempDbPath } from '../helpers.js';

async function chain(n: number) {
  const path = tempDbPath();
  const store = openSqliteStore({ path, durability: 'normal' });
  for (let i = 0; i < n; i++)
    await recordChange(store.governance, { name: 'user:ana', requestId: `r${i}` }, 1_000 + i, {
      action: 'task.completed',
      target: { kind: 'task', id: `t${i}` },
      before: { status: 'open' },
      after: { status: 'completed', outcome: i % 2 ? 'approve' : 'reject' },
    });
  await store.close();
  return path;
}

async function verify(path: string) {
  const store = openSqliteStore({ path, durability: 'normal' });
  try {
    return await verifyAuditChain(store.governance, 4);
  } finally {
    await store.close();
  }
}

test('an intact chain verifies across pages and reports its last hash', async () => {
  const report = await verify(await chain(10));
  assert.equal(report.ok, true);
  assert.equal(report.checked, 10);
  assert.match(report.lastHash, /^[0-9a-f]{64}$/);
});

test('an edited, a deleted and a re-hashed record are each found', async () => {
  const edited = await chain(6);
  const a = new Database(edited);
  a.prepare("UPDATE audit SET actor = 'user:mallory' WHERE seq = 5").run();
  a.close();
  assert.deepEqual(await verify(edited).then((r) => [r.ok, r.brokenAt]), [false, 5]);

  const deleted = await chain(6);
  const b = new Database(deleted);
  b.prepare('DELETE FROM audit WHERE seq = 3').run();
  b.close();
  const gap = await verify(deleted);
  assert.deepEqual([gap.ok, gap.brokenAt], [false, 3]);
  assert.match(gap.reason ?? '', /missing/);

  // an edit that also recomputes its own hash still breaks the link from the next record
  const rehashed = await chain(6);
  const c = new Database(rehashed);
  const row = c.prepare('SELECT * FROM audit WHERE seq = 4').get() as Record<string, string | number>;
  const forged = {
    at: row.at as number,
    actor: 'user:mallory',
    action: row.action as string,
    target: { kind: row.target_kind as string, id: row.target_id as string },
    before: JSON.parse(row.before_value as string),
    after: JSON.parse(row.after_value as string),
    requestId: row.request_id as string,
  };
  c.prepare("UPDATE audit SET actor = 'user:mallory', hash = ? WHERE seq = 4").run(
    auditHash(row.prev_hash as string, 4, forged),
  );
  c.close();
  const r = await verify(rehashed);
  assert.deepEqual([r.ok, r.brokenAt], [false, 5]);
  assert.match(r.reason ?? '', /does not link/);
});
