import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { verifyAuditChain } from '../../src/api/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/core/index.js';
import { defineWorkflow, Engine } from '../../src/engine/index.js';
import {
  activeDecision,
  type DecisionTable,
  type Definitions,
  decisionFor,
  evaluate,
  RuleGovernance,
} from '../../src/rules/index.js';
import type { Store } from '../../src/store/index.js';
import { engineBackends } from '../helpers.js';

const maker = { name: 'user:mara' };
const checker = { name: 'user:chen' };
const other = { name: 'user:olu' };

/** Facts no version-1 rule auto-approves (value 700 is over the 500 "small transfer" limit). */
const facts = { transfer: { value: 700, qty: 10, distanceKm: 100, sameRegion: false } };

const clone = <T>(v: T): T => structuredClone(v);

/** Version 1 of transfer_policy with the small-transfer limit at `limit`, one rule removed and one added. */
function edited(v1: Definitions, limit = 800): Definitions {
  const defs = clone(v1);
  const t = defs.decisions[0]!;
  t.rules.find((r) => r.id === 'transfer-approval_small')!.inputEntries[0] = `<= ${limit}`;
  t.rules = t.rules.filter((r) => r.id !== 'transfer-approval_large_quantity');
  t.rules.splice(1, 0, {
    id: 'transfer-approval_same_region_small',
    inputEntries: ['<= 100', '-', '-', 'true'],
    outputEntries: ['"auto-approve"', '"tiny and local"', 'null'],
  });
  return defs;
}

/** The north region's exception: every transfer over 300 goes to store operations. */
function northTable(enterprise: DecisionTable): DecisionTable {
  const t = clone(enterprise);
  t.rules = [
    {
      id: 'north_over_300',
      inputEntries: ['> 300', '-', '-', '-'],
      outputEntries: ['"store-operations"', '"north: over 300"', '"2h"'],
    },
    {
      id: 'north_otherwise',
      inputEntries: ['-', '-', '-', '-'],
      outputEntries: ['"auto-approve"', '"north: small"', 'null'],
    },
  ];
  return t;
}

const approvalOf = (table: DecisionTable) =>
  (evaluate(table, facts).outputs as { approval: string }).approval;

for (const backend of await engineBackends()) {
  describe(`rule governance on ${backend.name}`, { skip: backend.skip }, () => {
    let store: Store;
    let engine: Engine;
    let rules: RuleGovernance;
    let v1: Definitions;

    // the workflow loads the active table in a step (journalled), then decides with it
    const transfer = defineWorkflow({
      name: 'test.governed-transfer',
      version: 1,
      input: Type.Object({ region: Type.Optional(Type.String()) }),
      async run(ctx, input) {
        const table = await ctx.step('load-rules', () =>
          activeDecision(store, 'transfer-approval', input.region ? { region: input.region } : {}),
        );
        return ctx.decide(decisionFor<{ approval: string }>(table), facts);
      },
    });

    after(async () => {
      await engine?.stop(1000);
      await store?.close();
    });

    test('setup: the default rules seed as version 1, once', async () => {
      store = await backend.open(backend.location());
      engine = new Engine({ store, workflows: [transfer], config: { worker: { pollIntervalMs: 20 } } });
      engine.start();
      rules = new RuleGovernance({ store });
      const first = await rules.seedDefaults();
      assert.ok(first.length >= 6);
      assert.ok(first.every((s) => s.seeded));
      const again = await rules.seedDefaults();
      assert.ok(
        again.every((s) => !s.seeded),
        'seeding again changes nothing',
      );
      const sets = await rules.listSets();
      assert.deepEqual(
        sets.map((s) => s.latestVersion),
        sets.map(() => 1),
      );
      assert.equal((await store.governance.readAudit({ action: 'rules.seeded' })).length, first.length);
      v1 = (await rules.version('transfer_policy', 1)).model;
      const active = await rules.active('transfer-approval');
      assert.equal(active.table.version, 'transfer_policy@1');
      assert.equal(approvalOf(active.table), 'store-operations');
    });

    test('a proposal lists exactly the changed rules and publishes nothing until approved', async () => {
      const review = await rules.propose(edited(v1), maker, { comment: 'raise the small limit' });
      assert.equal(review.draft.status, 'open');
      assert.equal(review.draft.baseVersion, 1);
      assert.equal(review.stale, false);
      assert.equal(review.diff.tables.length, 1, 'only transfer-approval changed');
      const t = review.diff.tables[0]!;
      assert.equal(t.decisionId, 'transfer-approval');
      assert.deepEqual(
        t.rules.changed.map((c) => [c.ruleId, c.cells]),
        [
          [
            'transfer-approval_small',
            [{ column: 'Transfer value', kind: 'input', before: '<= 500', after: '<= 800' }],
          ],
        ],
      );
      assert.deepEqual(
        t.rules.added.map((r) => r.id),
        ['transfer-approval_same_region_small'],
      );
      assert.deepEqual(
        t.rules.removed.map((r) => r.id),
        ['transfer-approval_large_quantity'],
      );
      assert.equal(t.hitPolicy, undefined);
      assert.deepEqual(t.columns, []);
      const ruleLines = review.text.split('\n').filter((l) => /^ {2}[~+-] rule /.test(l));
      assert.deepEqual(ruleLines, [
        '  - rule transfer-approval_large_quantity: Transfer value "-", Quantity "> 50", Distance km "-", Same region "-" → approval "\\"store-operations\\"", reason "\\"quantity over 50\\"", dueIn "\\"8h\\""',
        '  + rule transfer-approval_same_region_small: Transfer value "<= 100", Quantity "-", Distance km "-", Same region "true" → approval "\\"auto-approve\\"", reason "\\"tiny and local\\"", dueIn "null"',
        '  ~ rule transfer-approval_small: Transfer value "<= 500" → "<= 800"',
      ]);
      assert.match(
        review.text,
        /^rule set transfer_policy: draft \S+ by user:mara \(open\) against version 1$/m,
      );
      assert.equal((await rules.active('transfer-approval')).table.version, 'transfer_policy@1');
      const proposed = await store.governance.readAudit({ action: 'rules.proposed' });
      assert.equal(proposed.at(-1)?.actor, 'user:mara');
      assert.equal(proposed.at(-1)?.target.id, review.draft.id);
    });

    test('the author cannot approve their own draft; another person publishes version 2, which evaluation uses', async () => {
      const [draft] = await rules.drafts({ setId: 'transfer_policy', status: 'open' });
      await assert.rejects(rules.approve(draft!.id, maker), (err: unknown) => {
        assert.ok(err instanceof ConflictError);
        assert.match(err.message, /maker-checker: user:mara proposed draft \S+ and cannot approve it/);
        return true;
      });
      // the store refuses too, without the domain check in front of it
      await assert.rejects(
        store.rules.publishRuleDraft({
          draftId: draft!.id,
          setId: 'transfer_policy',
          setName: 'x',
          by: maker.name,
          at: Date.now(),
          decisions: ['transfer-approval'],
          guardDecisions: [],
          audit: [],
        }),
        /maker-checker/,
      );
      assert.equal((await rules.version('transfer_policy')).version, 1);

      const result = await rules.approve(draft!.id, checker, { comment: 'agreed with finance' });
      assert.equal(result.kind, 'set');
      if (result.kind !== 'set') return;
      assert.equal(result.version.version, 2);
      assert.equal(result.version.approvedBy, 'user:chen');
      assert.equal(result.version.author, 'user:mara');
      assert.match(result.version.dmnXml, /transfer-approval_same_region_small/);
      const active = await rules.active('transfer-approval');
      assert.equal(active.table.version, 'transfer_policy@2');
      assert.equal(approvalOf(active.table), 'auto-approve', 'the new limit of 800 applies');
      assert.equal(
        approvalOf((await rules.version('transfer_policy', 1)).model.decisions[0]!),
        'store-operations',
      );
      const published = (await store.governance.readAudit({ action: 'rules.published' })).at(-1);
      assert.equal(published?.actor, 'user:chen');
      assert.equal(published?.target.id, 'transfer_policy@2');
    });

    test('a workflow decides with the published version and the journal records it', async () => {
      const run = await engine.startRun(transfer, {});
      const done = await engine.waitForRun(run.id);
      assert.equal(done.status, 'completed', JSON.stringify(done.error));
      assert.equal((done.output as { approval: string }).approval, 'auto-approve');
      const decide = (await engine.journal(run.id)).find((e) => e.kind === 'decide');
      assert.equal((decide!.input as { version: string }).version, 'transfer_policy@2');
    });

    test('of two drafts on the same version the second approval is refused as stale', async () => {
      const a = await rules.propose(edited(v1, 900), maker);
      const b = await rules.propose(edited(v1, 950), other);
      assert.equal(a.draft.baseVersion, 2);
      assert.equal(b.draft.baseVersion, 2);
      await rules.approve(a.draft.id, checker);
      await assert.rejects(rules.approve(b.draft.id, checker), (err: unknown) => {
        assert.ok(err instanceof ConflictError);
        assert.match(
          err.message,
          /made against version 2 of rule set transfer_policy, which is now at version 3/,
        );
        return true;
      });
      assert.equal((await rules.review(b.draft.id)).stale, true);
      assert.equal((await rules.version('transfer_policy')).version, 3);
      // rebase: propose again on version 3
      await rules.reject(b.draft.id, other, 'rebased');
      const rebased = await rules.propose(edited(v1, 950), other);
      assert.equal(rebased.draft.baseVersion, 3);
      assert.deepEqual(
        rebased.diff.tables[0]!.rules.changed.map((c) => c.cells.map((x) => `${x.before} → ${x.after}`)),
        [['<= 900 → <= 950']],
      );
      await rules.reject(rebased.draft.id, checker, 'not now');
    });

    test('a rejected draft keeps the published version and cannot be approved later', async () => {
      const d = await rules.propose(edited(v1, 5000), maker);
      const rejected = await rules.reject(d.draft.id, checker, 'far too generous');
      assert.equal(rejected.status, 'rejected');
      assert.equal(rejected.reviewComment, 'far too generous');
      await assert.rejects(rules.approve(d.draft.id, other), /already rejected by user:chen/);
      assert.equal((await rules.version('transfer_policy')).version, 3);
      assert.equal((await rules.active('transfer-approval')).table.version, 'transfer_policy@3');
      await assert.rejects(rules.reject(d.draft.id, other, ''), ValidationError);
      await assert.rejects(rules.approve('no-such-draft', checker), NotFoundError);
    });

    test('a regional override applies to its region only, is approved by another person and audited', async () => {
      const enterprise = (await rules.active('transfer-approval')).table;
      const proposal = await rules.proposeOverride(
        { decisionId: 'transfer-approval', region: 'north', table: northTable(enterprise) },
        maker,
        { comment: 'north has a regional manager' },
      );
      assert.deepEqual(proposal.against, { kind: 'enterprise', setVersion: 3 });
      assert.deepEqual(
        proposal.diff.tables[0]!.rules.added.map((r) => r.id),
        ['north_over_300', 'north_otherwise'],
      );
      await assert.rejects(rules.approve(proposal.draft.id, maker), /maker-checker/);
      assert.equal((await rules.active('transfer-approval', { region: 'north' })).overrideVersion, undefined);

      const approved = await rules.approve(proposal.draft.id, checker);
      assert.equal(approved.kind, 'override');
      const north = await rules.active('transfer-approval', { region: 'north' });
      assert.equal(north.overrideVersion, 1);
      assert.equal(north.table.version, 'transfer_policy@3/north@1');
      assert.equal(approvalOf(north.table), 'store-operations');
      assert.equal((evaluate(north.table, facts).outputs as { reason: string }).reason, 'north: over 300');
      const south = await rules.active('transfer-approval', { region: 'south' });
      assert.equal(south.overrideVersion, undefined);
      assert.equal(south.table.version, 'transfer_policy@3');
      assert.equal(approvalOf(south.table), 'auto-approve');
      assert.equal(approvalOf((await rules.active('transfer-approval')).table), 'auto-approve');
      assert.equal(
        (await activeDecision(store, 'transfer-approval', { region: 'north' })).version,
        'transfer_policy@3/north@1',
      );

      const [record] = await rules.overrides({ decisionId: 'transfer-approval' });
      assert.equal(record?.approvedBy, 'user:chen');
      assert.equal(record?.author, 'user:mara');
      const audited = (await store.governance.readAudit({ action: 'rules.override.approved' })).at(-1);
      assert.equal(audited?.actor, 'user:chen');
      assert.deepEqual(audited?.target, { kind: 'rule-override', id: 'transfer-approval@north' });
      const chain = await verifyAuditChain(store.governance);
      assert.equal(chain.ok, true, chain.reason);
      assert.equal(chain.checked, (await store.governance.readAudit({ limit: 10_000 })).length);
    });

    test('an override must keep the enterprise columns, and the columns cannot change under an active override', async () => {
      const enterprise = (await rules.active('transfer-approval')).table;
      const wider = northTable(enterprise);
      wider.inputs[0] = { ...wider.inputs[0]!, expression: 'transfer.valueInEur' };
      await assert.rejects(
        rules.proposeOverride({ decisionId: 'transfer-approval', region: 'EU-DE', table: wider }, maker),
        /must keep the enterprise table's inputs and outputs/,
      );
      await assert.rejects(
        rules.proposeOverride(
          { decisionId: 'transfer-approval', region: 'bad region', table: enterprise },
          maker,
        ),
        ValidationError,
      );

      const defs = (await rules.version('transfer_policy')).model;
      defs.decisions[0]!.inputs[2] = {
        ...defs.decisions[0]!.inputs[2]!,
        expression: 'transfer.distanceMiles',
      };
      const columns = await rules.propose(defs, maker);
      assert.deepEqual(
        columns.diff.tables[0]!.columns.map((c) => `${c.change} ${c.kind} ${c.after}`),
        ['changed input Distance km = transfer.distanceMiles (number)'],
      );
      await assert.rejects(
        rules.approve(columns.draft.id, checker),
        /active regional overrides \(transfer-approval@north\)/,
      );

      // withdraw the override (itself approved by another person), then the columns may change
      const withdrawal = await rules.proposeOverride(
        { decisionId: 'transfer-approval', region: 'north', table: null },
        other,
      );
      await rules.approve(withdrawal.draft.id, checker);
      assert.equal((await rules.active('transfer-approval', { region: 'north' })).overrideVersion, undefined);
      const published = await rules.approve(columns.draft.id, checker);
      assert.equal(published.kind === 'set' && published.version.version, 4);
      assert.equal((await verifyAuditChain(store.governance)).ok, true);
    });
  });
}
