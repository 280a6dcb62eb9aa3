import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ContractRegistry, catalogue, IncompatibleSchemaError } from '../../src/contracts/index.js';
import { ConflictError, ManualClock, NotFoundError, ValidationError } from '../../src/core/index.js';
import type { Store } from '../../src/store/index.js';
import { engineBackends, type TestBackend } from '../helpers.js';

const DAY = 24 * 60 * 60 * 1000;

const line = (extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties: { sku: { type: 'string' }, qty: { type: 'integer', minimum: 0 }, ...extra },
  required: ['sku', 'qty'],
  additionalProperties: false,
});

/** A registry on a fresh database of the backend, closed when the file ends. */
async function fresh(
  backend: TestBackend,
): Promise<{ registry: ContractRegistry; clock: ManualClock; store: Store }> {
  const store = await backend.open(backend.location());
  after(() => store.close());
  const clock = new ManualClock(Date.UTC(2026, 2, 2, 9));
  return { registry: new ContractRegistry(store.governance, { clock }), clock, store };
}

const newType = (type: string, schema: object, extra: Record<string, unknown> = {}) => ({
  type,
  schema,
  owner: 'store-operations',
  description: `${type} for tests`,
  by: 'user:test',
  ...extra,
});

/** Runs `fn`, which must reject with an error of class `kind`; returns it. */
async function refused<E extends Error>(
  fn: () => Promise<unknown>,
  kind: new (...a: never[]) => E,
): Promise<E> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof kind, `expected ${kind.name}, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${kind.name}, but it resolved`);
}

for (const backend of await engineBackends()) {
  describe(`ContractRegistry on ${backend.name}`, { skip: backend.skip }, () => {
    test('seeding the catalogue registers its twenty-two types once', async () => {
      const { registry, clock } = await fresh(backend);
      await registry.seed();
      const types = await registry.listTypes();
      assert.deepEqual(types.map((t) => t.type).sort(), catalogue.map((c) => c.type).sort());
      for (const t of types) {
        const entry = catalogue.find((c) => c.type === t.type)!;
        assert.equal(t.owner, entry.owner);
        assert.equal(t.description, entry.description);
        assert.equal(t.lifecycle, 'active');
        assert.equal(t.compatibility, 'BACKWARD');
        const versions = await registry.listVersions(t.type);
        assert.deepEqual(
          versions.map((v) => [v.version, v.createdBy]),
          [[1, 'system']],
        );
        assert.deepEqual(versions[0]!.example, entry.example);
      }
      const before = await Promise.all(types.map((t) => registry.getVersion(t.type)));

      clock.advance(DAY);
      await registry.seed('user:again');
      const again = await registry.listTypes();
      assert.deepEqual(again, types, 'types untouched, updatedAt included');
      for (const [i, t] of again.entries()) {
        assert.deepEqual(await registry.listVersions(t.type), [before[i]], `${t.type} gained no version`);
      }
    });

    test('a new type needs an owner and a description; the same schema again is not a new version', async () => {
      const { registry } = await fresh(backend);
      const missing = await refused(
        () => registry.register({ type: 'transfer.counted', schema: line(), by: 'user:test' }),
        ValidationError,
      );
      assert.deepEqual(missing.issues.map((i) => i.path).sort(), ['/description', '/owner']);
      const badName = await refused(
        () => registry.register(newType('Transfer Counted', line())),
        ValidationError,
      );
      assert.deepEqual(
        badName.issues.map((i) => i.path),
        ['/type'],
      );
      const badExample = await refused(
        () => registry.register(newType('transfer.counted', line(), { example: { sku: 'A', qty: -1 } })),
        ValidationError,
      );
      assert.deepEqual(
        badExample.issues.map((i) => i.path),
        ['/example/qty'],
      );

      const first = await registry.register(newType('transfer.counted', line()));
      assert.equal(first.created, true);
      assert.equal(first.version.version, 1);
      const same = await registry.register({ type: 'transfer.counted', schema: line(), by: 'user:other' });
      assert.equal(same.created, false);
      assert.equal(same.version.version, 1);
      assert.equal(same.version.createdBy, 'user:test');
      assert.equal((await registry.listVersions('transfer.counted')).length, 1);
    });

    test('a compatible version is added; a breaking one is refused with every change by kind and path', async () => {
      const { registry } = await fresh(backend);
      await registry.register(newType('transfer.counted', line()));
      // closed content model: an optional property may be added under BACKWARD
      const v2 = await registry.register({
        type: 'transfer.counted',
        schema: line({ note: { type: 'string' } }),
        by: 'user:test',
      });
      assert.deepEqual([v2.created, v2.version.version], [true, 2]);

      const breaking = {
        type: 'object',
        properties: { qty: { type: 'string' }, note: { type: 'string' }, bin: { type: 'string' } },
        required: ['qty', 'bin'],
        additionalProperties: false,
      };
      const err = await refused(
        () => registry.register({ type: 'transfer.counted', schema: breaking, by: 'user:test' }),
        IncompatibleSchemaError,
      );
      assert.equal(err.status, 409);
      assert.deepEqual(
        err.changes.map((c) => `${c.kind} ${c.path}`),
        [
          'TYPE_CHANGED #/properties/qty',
          'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/bin',
          'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL #/properties/sku',
          'REQUIRED_ATTRIBUTE_ADDED #/properties/bin',
        ],
      );
      assert.ok(err.changes.every((c) => c.direction === 'backward' && c.version === 2));
      assert.equal(err.changes[0]!.detail, 'type integer → string');
      assert.match(err.message, /breaks BACKWARD compatibility: TYPE_CHANGED #\/properties\/qty, /);
      assert.deepEqual((err.details as { changes: unknown }).changes, err.changes);
      assert.deepEqual(
        (await registry.listVersions('transfer.counted')).map((v) => v.version),
        [1, 2],
        'nothing stored',
      );
    });

    test('FULL refuses what only one direction allows, naming the direction', async () => {
      const { registry } = await fresh(backend);
      await registry.register(newType('transfer.counted', line(), { compatibility: 'FULL' }));
      const err = await refused(
        () =>
          registry.register({
            type: 'transfer.counted',
            schema: line({ note: { type: 'string' } }),
            by: 'user:test',
          }),
        IncompatibleSchemaError,
      );
      assert.deepEqual(
        err.changes.map((c) => `${c.direction} ${c.kind} ${c.path}`),
        ['forward PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL #/properties/note'],
      );
      assert.match(err.message, /breaks FULL compatibility/);
    });

    test('transitive modes check every registered version', async () => {
      const { registry } = await fresh(backend);
      const v1 = line();
      const v2 = line({ bin: { type: 'string', default: 'A-01' } });
      const v3 = line({ bin: { type: 'string' } });
      v2.required = ['sku', 'qty', 'bin'];
      v3.required = ['sku', 'qty', 'bin'];
      await registry.register(newType('transfer.counted', v1, { compatibility: 'BACKWARD_TRANSITIVE' }));
      await registry.register({ type: 'transfer.counted', schema: v2, by: 'user:test' });
      // v3 reads v2's events (bin is always there) but not v1's (which never had it)
      const err = await refused(
        () => registry.register({ type: 'transfer.counted', schema: v3, by: 'user:test' }),
        IncompatibleSchemaError,
      );
      assert.deepEqual(
        err.changes.map((c) => `v${c.version} ${c.kind} ${c.path}`),
        [
          'v1 REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/bin',
          'v1 REQUIRED_ATTRIBUTE_ADDED #/properties/bin',
        ],
      );
      await registry.setCompatibility('transfer.counted', 'BACKWARD', 'user:test');
      const r = await registry.register({ type: 'transfer.counted', schema: v3, by: 'user:test' });
      assert.deepEqual([r.created, r.version.version], [true, 3]);
    });

    test('NONE takes any schema; a mode given on registration is kept', async () => {
      const { registry } = await fresh(backend);
      await registry.register(newType('transfer.counted', line(), { compatibility: 'NONE' }));
      const r = await registry.register({
        type: 'transfer.counted',
        schema: { type: 'object', properties: { qty: { type: 'string' } } },
        by: 'user:test',
      });
      assert.equal(r.version.version, 2);
      assert.equal((await registry.getType('transfer.counted')).compatibility, 'NONE');
      await refused(
        () => registry.setCompatibility('transfer.counted', 'SIDEWAYS' as 'NONE', 'user:test'),
        ValidationError,
      );
    });

    test('lifecycle: draft, active, deprecated with a sunset, back to active, retired for good', async () => {
      const { registry, clock } = await fresh(backend);
      await registry.register(newType('transfer.counted', line(), { lifecycle: 'draft' }));
      assert.equal((await registry.getType('transfer.counted')).lifecycle, 'draft');
      const draftToDeprecated = await refused(
        () =>
          registry.setLifecycle('transfer.counted', 'deprecated', { sunsetAt: clock.now() + DAY, by: 'u' }),
        ConflictError,
      );
      assert.match(draftToDeprecated.message, /cannot go from draft to deprecated/);

      assert.equal(
        (await registry.setLifecycle('transfer.counted', 'active', { by: 'u' })).lifecycle,
        'active',
      );
      for (const sunsetAt of [undefined, clock.now() - 1, clock.now()]) {
        const e = await refused(
          () =>
            registry.setLifecycle('transfer.counted', 'deprecated', {
              by: 'u',
              ...(sunsetAt === undefined ? {} : { sunsetAt }),
            }),
          ValidationError,
        );
        assert.deepEqual(
          e.issues.map((i) => i.path),
          ['/sunsetAt'],
        );
      }
      const sunset = clock.now() + 30 * DAY;
      const deprecated = await registry.setLifecycle('transfer.counted', 'deprecated', {
        sunsetAt: sunset,
        by: 'u',
      });
      assert.deepEqual([deprecated.lifecycle, deprecated.sunsetAt], ['deprecated', sunset]);
      assert.deepEqual(await registry.getType('transfer.counted'), deprecated, 'stored');

      const event = { sku: 'SKU-1', qty: 3 };
      assert.deepEqual(await registry.validateEvent('transfer.counted', event), { ok: true, version: 1 });
      clock.set(sunset);
      const late = await registry.validateEvent('transfer.counted', event);
      assert.equal(late.ok, false);
      assert.match(!late.ok ? late.issues[0]!.message : '', /reached its sunset at 2026-04-01T09:00:00.000Z/);

      const active = await registry.setLifecycle('transfer.counted', 'active', { by: 'u' });
      assert.equal(active.lifecycle, 'active');
      assert.equal(active.sunsetAt, undefined, 'the sunset goes with the deprecation');
      assert.equal((await registry.getType('transfer.counted')).sunsetAt, undefined);
      assert.equal((await registry.validateEvent('transfer.counted', event)).ok, true);

      await registry.setLifecycle('transfer.counted', 'retired', { by: 'u' });
      const retired = await registry.validateEvent('transfer.counted', event);
      assert.deepEqual(retired, {
        ok: false,
        issues: [{ path: '', message: 'event type transfer.counted is retired' }],
      });
      const back = await refused(
        () => registry.setLifecycle('transfer.counted', 'active', { by: 'u' }),
        ConflictError,
      );
      assert.match(back.message, /retirement is final/);
      await refused(() => registry.register(newType('transfer.counted', line({ note: {} }))), ConflictError);
      await refused(
        () => registry.setLifecycle('transfer.counted', 'paused' as 'active', { by: 'u' }),
        ValidationError,
      );
      await refused(() => registry.setLifecycle('transfer.unknown', 'retired', { by: 'u' }), NotFoundError);
    });

    test('validateEvent checks the declared version, else the latest', async () => {
      const { registry } = await fresh(backend);
      await registry.register(newType('transfer.counted', line()));
      await registry.register({
        type: 'transfer.counted',
        schema: line({ note: { type: 'string', maxLength: 20 } }),
        by: 'user:test',
      });
      const withNote = { sku: 'SKU-1', qty: 3, note: 'recount of bin 4' };
      assert.deepEqual(await registry.validateEvent('transfer.counted', withNote), { ok: true, version: 2 });
      assert.deepEqual(await registry.validateEvent('transfer.counted', withNote, 2), {
        ok: true,
        version: 2,
      });
      assert.deepEqual(await registry.validateEvent('transfer.counted', withNote, 1), {
        ok: false,
        version: 1,
        issues: [{ path: '/note', message: 'is not a property this schema allows' }],
      });
      const wrong = await registry.validateEvent('transfer.counted', { qty: -2, note: 'x'.repeat(21) });
      assert.equal(wrong.ok, false);
      assert.deepEqual(!wrong.ok && wrong.issues.map((i) => i.path).sort(), ['/note', '/qty', '/sku']);
      assert.deepEqual(await registry.validateEvent('transfer.counted', withNote, 9), {
        ok: false,
        version: 9,
        issues: [{ path: '', message: 'transfer.counted has no version 9' }],
      });
      const unknown = await registry.validateEvent('transfer.lost', withNote);
      assert.equal(unknown.ok, false);
      assert.match(!unknown.ok ? unknown.issues[0]!.message : '', /unknown event type transfer\.lost/);
    });

    test('a change made by another process reaches validation within the cache time; its own at once', async () => {
      const { registry, clock, store } = await fresh(backend);
      const other = new ContractRegistry(store.governance, { clock });
      await registry.register(newType('stock.counted', line()));
      const event = { sku: 'SKU-1', qty: 3 };
      assert.deepEqual(await registry.validateEvent('stock.counted', event), { ok: true, version: 1 });

      // another process adds version 2 and retires the type: this one trusts what it read for a second
      await other.register({
        type: 'stock.counted',
        schema: line({ bin: { type: 'string' } }),
        by: 'user:b',
      });
      await other.setLifecycle('stock.counted', 'retired', { by: 'user:b' });
      assert.deepEqual(await registry.validateEvent('stock.counted', event), { ok: true, version: 1 });
      clock.advance(1000);
      const late = await registry.validateEvent('stock.counted', event);
      assert.equal(late.ok, false);
      assert.match(late.ok ? '' : late.issues[0]!.message, /retired/);

      // its own changes apply to the next event
      await registry.register(newType('stock.adjusted', line()));
      assert.deepEqual(await registry.validateEvent('stock.adjusted', event), { ok: true, version: 1 });
      await registry.register({
        type: 'stock.adjusted',
        schema: line({ bin: { type: 'string' } }),
        by: 'user:a',
      });
      assert.deepEqual(await registry.validateEvent('stock.adjusted', event), { ok: true, version: 2 });
      await registry.setLifecycle('stock.adjusted', 'retired', { by: 'user:a' });
      assert.equal((await registry.validateEvent('stock.adjusted', event)).ok, false);
    });

    test('catalogue examples validate against the seeded versions', async () => {
      const { registry } = await fresh(backend);
      await registry.seed();
      for (const entry of catalogue) {
        assert.deepEqual(
          await registry.validateEvent(entry.type, entry.example),
          { ok: true, version: 1 },
          entry.type,
        );
      }
      const broken = { ...(catalogue[0]!.example as Record<string, unknown>), unexpected: true };
      const r = await registry.validateEvent(catalogue[0]!.type, broken);
      assert.deepEqual(!r.ok && r.issues, [
        { path: '/unexpected', message: 'is not a property this schema allows' },
      ]);
    });
  });
}
