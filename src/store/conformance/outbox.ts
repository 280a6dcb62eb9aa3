import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { newId } from '../../core/index.js';
import { commitOk, leasedRun, type StoreTest, T, unitFor } from './fixtures.js';

export function outboxTests(test: StoreTest): void {
  describe('outbox', () => {
    test('readOutbox pages by seq and markPublished marks rows once', async (store) => {
      const a = await leasedRun(store);
      const b = await leasedRun(store);
      const o = (position: number, type: string) => ({ id: newId(T), position, type, data: { position } });
      await commitOk(store, unitFor(a, T + 1, { outbox: [o(0, 'a.one'), o(1, 'a.two')] }));
      await commitOk(store, unitFor(b, T + 2, { outbox: [o(0, 'b.one')] }));

      const all = await store.readOutbox({});
      assert.deepEqual(
        all.map((r) => [r.type, r.runId]),
        [
          ['a.one', a.id],
          ['a.two', a.id],
          ['b.one', b.id],
        ],
      );
      const [s1, s2, s3] = all.map((r) => r.seq) as [number, number, number];
      assert.ok(s1 < s2 && s2 < s3);
      assert.deepEqual(
        (await store.readOutbox({ afterSeq: s1 })).map((r) => r.seq),
        [s2, s3],
      );
      assert.deepEqual(
        (await store.readOutbox({ limit: 1 })).map((r) => r.seq),
        [s1],
      );
      assert.ok(all.every((r) => r.publishedAt === undefined));

      await store.markPublished([s1, s3], T + 50);
      assert.deepEqual(
        (await store.readOutbox({ unpublishedOnly: true })).map((r) => r.seq),
        [s2],
      );
      await store.markPublished([s1], T + 99);
      const after = await store.readOutbox({});
      assert.deepEqual(
        after.map((r) => r.publishedAt),
        [T + 50, undefined, T + 50],
      );
      await store.markPublished([], T + 100);
    });
  });
}
