import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { commitOk, historyTypes, leasedRun, type StoreTest, stepEntry, T, unitFor } from './fixtures.js';

export function groupCommitTests(test: StoreTest): void {
  describe('group commit', () => {
    test('concurrent commits share transactions', async (store, t) => {
      if (!store.capabilities.groupCommit) {
        t.skip('the store does not declare groupCommit');
        return;
      }
      const runs = await Promise.all(Array.from({ length: 50 }, () => leasedRun(store)));
      const before = store.stats();
      const results = await Promise.all(
        runs.map((r, i) =>
          store.commit(
            unitFor(r, T + 1, {
              journal: [stepEntry(0, 'validate', { result: { i } })],
              history: [{ type: 'step.completed', position: 0, at: T + 1 }],
            }),
          ),
        ),
      );
      const after = store.stats();
      assert.ok(results.every((r) => r.ok));
      const ops = after.operations - before.operations;
      const txs = after.transactions - before.transactions;
      assert.ok(ops >= 50, `every commit is counted (${ops})`);
      assert.ok(txs >= 1 && txs < ops, `${ops} operations should share fewer transactions, got ${txs}`);
      for (const [i, r] of runs.entries()) {
        assert.deepEqual((await store.loadJournal(r.id))[0]?.result, { i });
      }
    });

    test('one failing commit rejects alone; the others land', async (store) => {
      const runs = await Promise.all(Array.from({ length: 20 }, () => leasedRun(store)));
      const bad = 7;
      const settled = await Promise.allSettled(
        runs.map((r, i) =>
          store.commit(
            unitFor(r, T + 1, {
              journal:
                i === bad
                  ? [stepEntry(0, 'validate'), stepEntry(1, null as unknown as string)]
                  : [stepEntry(0, 'validate')],
              history: [{ type: 'step.completed', position: 0, at: T + 1 }],
            }),
          ),
        ),
      );
      for (const [i, s] of settled.entries()) {
        if (i === bad) assert.equal(s.status, 'rejected', 'the unit that violates a constraint fails');
        else assert.ok(s.status === 'fulfilled' && s.value.ok, `unit ${i} lands`);
      }
      for (const [i, r] of runs.entries()) {
        const journal = await store.loadJournal(r.id);
        assert.equal(journal.length, i === bad ? 0 : 1, `journal of run ${i}`);
      }
      assert.ok(
        !(await historyTypes(store, runs[bad]!.id)).includes('step.completed'),
        'nothing of it is kept',
      );
      // the store keeps working afterwards
      await commitOk(store, unitFor(runs[bad]!, T + 2, { journal: [stepEntry(0, 'validate')] }));
    });
  });
}
