import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { ConflictError, NotFoundError } from '../../core/index.js';
import type { AuditInput } from '../governance.js';
import type { RuleDraftRecord, SeedRuleSet } from '../rules.js';
import type { Store } from '../types.js';
import { type StoreTest, T } from './fixtures.js';

/** Definitions as the rules module would store them; the store treats them as opaque JSON. */
const defs = (marker: string, decisions = ['limits']) => ({
  id: 'orders',
  name: 'Orders',
  namespace: 'urn:test',
  decisions: decisions.map((id) => ({ id, marker })),
});

const audit = (action: string, id: string, actor = 'system'): AuditInput[] => [
  { at: T, actor, action, target: { kind: 'rule-set', id } },
];

function seed(over: Partial<SeedRuleSet> = {}): SeedRuleSet {
  return {
    set: { id: 'orders', name: 'Orders' },
    version: {
      definitions: defs('v1'),
      dmnXml: '<definitions id="orders"/>',
      author: 'file:rules/orders.dmn',
      approvedBy: 'system',
      publishedAt: T,
    },
    decisions: ['limits'],
    audit: audit('rules.seeded', 'orders@1'),
    ...over,
  };
}

let drafts = 0;
function setDraft(over: Partial<RuleDraftRecord> = {}): RuleDraftRecord {
  return {
    id: `d-${String(++drafts).padStart(6, '0')}`,
    kind: 'set',
    setId: 'orders',
    baseVersion: 1,
    content: defs(`draft ${drafts}`),
    dmnXml: `<definitions id="orders" draft="${drafts}"/>`,
    author: 'user:maker',
    comment: 'raise the limit',
    status: 'open',
    proposedAt: T + drafts,
    ...over,
  };
}

function overrideDraft(over: Partial<RuleDraftRecord> = {}): RuleDraftRecord {
  return setDraft({
    kind: 'override',
    decisionId: 'limits',
    region: 'north',
    baseVersion: 0,
    content: { id: 'limits', marker: 'north' },
    ...over,
  });
}

const publish = (store: Store, draftId: string, by = 'user:checker', over: Record<string, unknown> = {}) =>
  store.rules.publishRuleDraft({
    draftId,
    setId: 'orders',
    setName: 'Orders',
    by,
    at: T + 100,
    decisions: ['limits'],
    guardDecisions: [],
    audit: audit('rules.published', 'orders', by),
    ...over,
  });

const approveOverride = (store: Store, draftId: string, by = 'user:checker', setVersion = 1) =>
  store.rules.approveOverrideDraft({
    draftId,
    setId: 'orders',
    by,
    at: T + 200,
    setVersion,
    audit: audit('rules.override.approved', 'limits@north', by),
  });

async function refused(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ConflictError, `a ConflictError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

export function ruleTests(test: StoreTest): void {
  describe('rules', () => {
    test('seeding publishes version 1 once and audits it', async (store) => {
      assert.equal(await store.rules.seedRuleSet(seed()), true);
      assert.equal(
        await store.rules.seedRuleSet(seed({ version: { ...seed().version, definitions: defs('x') } })),
        false,
      );
      const v = await store.rules.getRuleVersion('orders');
      assert.equal(v?.version, 1);
      assert.deepEqual(v?.definitions, defs('v1'));
      assert.equal(v?.dmnXml, '<definitions id="orders"/>');
      assert.equal((await store.rules.getRuleSet('orders'))?.latestVersion, 1);
      assert.equal(await store.rules.ruleSetOf('limits'), 'orders');
      assert.equal(await store.rules.ruleSetOf('nothing'), undefined);
      const chain = await store.governance.readAudit({});
      assert.deepEqual(
        chain.map((r) => r.action),
        ['rules.seeded'],
        'the second seed wrote nothing',
      );
    });

    test('an approved draft becomes the next version, with its audit record in the same write', async (store) => {
      await store.rules.seedRuleSet(seed());
      const d = await store.rules.addRuleDraft(
        setDraft({ content: defs('v2', ['limits', 'tolerance']) }),
        audit('rules.proposed', 'orders', 'user:maker'),
      );
      assert.equal(d.status, 'open');
      assert.deepEqual(await store.rules.getRuleDraft(d.id), d);
      const { draft, version } = await publish(store, d.id, 'user:checker', {
        decisions: ['limits', 'tolerance'],
        comment: 'fine',
      });
      assert.equal(version.version, 2);
      assert.equal(version.author, 'user:maker');
      assert.equal(version.approvedBy, 'user:checker');
      assert.equal(version.draftId, d.id);
      assert.equal(draft.status, 'approved');
      assert.equal(draft.reviewedBy, 'user:checker');
      assert.equal(draft.reviewComment, 'fine');
      assert.equal(draft.publishedVersion, 2);
      assert.deepEqual(await store.rules.getRuleVersion('orders', 2), version);
      assert.deepEqual(
        (await store.rules.getRuleVersion('orders', 1))?.definitions,
        defs('v1'),
        'v1 is kept',
      );
      assert.deepEqual(
        (await store.rules.listRuleVersions('orders')).map((v) => v.version),
        [1, 2],
      );
      assert.equal(await store.rules.ruleSetOf('tolerance'), 'orders');
      assert.deepEqual(
        (await store.governance.readAudit({})).map((r) => `${r.action} ${r.actor}`),
        ['rules.seeded system', 'rules.proposed user:maker', 'rules.published user:checker'],
      );
      await refused(publish(store, d.id), /already approved/);
    });

    test('the author cannot approve their own draft, and nothing is written', async (store) => {
      await store.rules.seedRuleSet(seed());
      const d = await store.rules.addRuleDraft(setDraft(), []);
      await refused(publish(store, d.id, 'user:maker'), /maker-checker/);
      const o = await store.rules.addRuleDraft(overrideDraft(), []);
      await refused(approveOverride(store, o.id, 'user:maker'), /maker-checker/);
      assert.equal((await store.rules.getRuleSet('orders'))?.latestVersion, 1);
      assert.equal((await store.rules.getRuleDraft(d.id))?.status, 'open');
      assert.equal(await store.rules.getRuleOverride('limits', 'north'), undefined);
      assert.equal((await store.governance.readAudit({})).length, 1, 'only the seed is audited');
    });

    test('of two drafts on the same base version only one publishes; the other is stale', async (store) => {
      await store.rules.seedRuleSet(seed());
      const a = await store.rules.addRuleDraft(setDraft(), []);
      const b = await store.rules.addRuleDraft(setDraft({ author: 'user:other' }), []);
      const settled = await Promise.allSettled([publish(store, a.id), publish(store, b.id)]);
      assert.equal(settled.filter((s) => s.status === 'fulfilled').length, 1);
      const lost = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult;
      assert.ok(lost.reason instanceof ConflictError);
      assert.match(
        lost.reason.message,
        /made against version 1 of rule set orders, which is now at version 2/,
      );
      assert.equal((await store.rules.getRuleSet('orders'))?.latestVersion, 2);
      assert.deepEqual(
        (await store.rules.listRuleDrafts({ status: 'open' })).length,
        1,
        'the stale draft stays open for its author to rebase',
      );
    });

    test('a rejected draft publishes nothing and cannot be approved afterwards', async (store) => {
      await store.rules.seedRuleSet(seed());
      const d = await store.rules.addRuleDraft(setDraft(), []);
      const rejected = await store.rules.rejectRuleDraft({
        draftId: d.id,
        by: 'user:checker',
        at: T + 5,
        reason: 'limit too high',
        audit: audit('rules.rejected', d.id, 'user:checker'),
      });
      assert.equal(rejected.status, 'rejected');
      assert.equal(rejected.reviewComment, 'limit too high');
      await refused(publish(store, d.id), /already rejected by user:checker/);
      assert.equal((await store.rules.getRuleSet('orders'))?.latestVersion, 1);
      await assert.rejects(publish(store, 'd-none'), NotFoundError);
    });

    test('a new set is created by its first approved draft', async (store) => {
      const d = await store.rules.addRuleDraft(setDraft({ baseVersion: 0 }), []);
      const { version } = await publish(store, d.id);
      assert.equal(version.version, 1);
      assert.equal((await store.rules.listRuleSets()).map((s) => s.id).join(), 'orders');
    });

    test('a decision another set holds is refused', async (store) => {
      await store.rules.seedRuleSet(seed());
      const d = await store.rules.addRuleDraft(setDraft({ setId: 'returns', baseVersion: 0 }), []);
      await refused(
        store.rules.publishRuleDraft({
          draftId: d.id,
          setId: 'returns',
          setName: 'Returns',
          by: 'user:checker',
          at: T,
          decisions: ['limits'],
          guardDecisions: [],
          audit: [],
        }),
        /decision "limits" belongs to rule set orders/,
      );
      assert.equal(await store.rules.getRuleSet('returns'), undefined);
    });

    test('drafts list newest first and filter by set, status, kind and region', async (store) => {
      await store.rules.seedRuleSet(seed());
      const a = await store.rules.addRuleDraft(setDraft(), []);
      const b = await store.rules.addRuleDraft(overrideDraft(), []);
      const c = await store.rules.addRuleDraft(overrideDraft({ region: 'EU-DE' }), []);
      const ids = async (q: Parameters<Store['rules']['listRuleDrafts']>[0]) =>
        (await store.rules.listRuleDrafts(q)).map((d) => d.id);
      assert.deepEqual(await ids({}), [c.id, b.id, a.id]);
      assert.deepEqual(await ids({ kind: 'override' }), [c.id, b.id]);
      assert.deepEqual(await ids({ region: 'EU-DE' }), [c.id]);
      assert.deepEqual(await ids({ setId: 'other' }), []);
      assert.deepEqual(await ids({ limit: 1 }), [c.id]);
      await publish(store, a.id);
      assert.deepEqual(await ids({ status: 'approved' }), [a.id]);
    });

    test('regional overrides: versions per region, stale checks, withdrawal and guarded columns', async (store) => {
      await store.rules.seedRuleSet(seed());
      const first = await store.rules.addRuleDraft(overrideDraft(), []);
      const { override, draft } = await approveOverride(store, first.id);
      assert.equal(override.version, 1);
      assert.equal(override.region, 'north');
      assert.equal(override.approvedBy, 'user:checker');
      assert.equal(override.author, 'user:maker');
      assert.equal(override.setVersion, 1);
      assert.deepEqual(override.table, { id: 'limits', marker: 'north' });
      assert.equal(draft.publishedVersion, 1);
      assert.deepEqual(
        (await store.governance.readAudit({ action: 'rules.override.approved' })).map((r) => r.actor),
        ['user:checker'],
      );

      // made against "no override": stale now that version 1 exists
      const stale = await store.rules.addRuleDraft(overrideDraft(), []);
      await refused(approveOverride(store, stale.id), /made against version 0 of the north override/);

      // a change of the set's columns is refused while the override is active
      const cols = await store.rules.addRuleDraft(setDraft(), []);
      await refused(publish(store, cols.id, 'user:checker', { guardDecisions: ['limits'] }), /limits@north/);

      // the set moved since the override was checked
      await publish(store, (await store.rules.addRuleDraft(setDraft(), [])).id);
      const late = await store.rules.addRuleDraft(overrideDraft({ baseVersion: 1, region: 'north' }), []);
      await refused(approveOverride(store, late.id, 'user:checker', 1), /moved to version 2/);

      const withdraw = await store.rules.addRuleDraft(overrideDraft({ baseVersion: 1, content: null }), []);
      const gone = await approveOverride(store, withdraw.id, 'user:checker', 2);
      assert.equal(gone.override.version, 2);
      assert.equal(gone.override.table, undefined);
      assert.deepEqual(
        (await store.rules.listRuleOverrideVersions('limits', 'north')).map((o) => [
          o.version,
          o.table === undefined,
        ]),
        [
          [1, false],
          [2, true],
        ],
      );
      assert.equal((await store.rules.getRuleOverride('limits', 'north', 1))?.version, 1);
      assert.deepEqual(
        (await store.rules.listRuleOverrides({ setId: 'orders' })).map((o) => `${o.region}@${o.version}`),
        ['north@2'],
      );
      // withdrawn: the columns may change now
      const again = await store.rules.addRuleDraft(setDraft({ baseVersion: 2 }), []);
      assert.equal(
        (await publish(store, again.id, 'user:checker', { guardDecisions: ['limits'] })).version.version,
        3,
      );
    });
  });
}
