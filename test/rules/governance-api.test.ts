import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type DecisionTable, type Definitions, RuleGovernance, toDmnXml } from '../../src/rules/index.js';
import { type ApiFixture, apiFixture } from '../api/fixture.js';
import { engineBackends } from '../helpers.js';

const xml = { 'content-type': 'application/xml' };

for (const backend of await engineBackends()) {
  // one test per backend: the fixture closes when the test that opened it ends, after its steps
  test(`rule governance over HTTP on ${backend.name}`, { skip: backend.skip }, async (t) => {
    const f: ApiFixture = await apiFixture({ backend });
    let v1: Definitions;
    const key: Record<string, string> = {};

    await t.test('setup', async () => {
      await new RuleGovernance({ store: f.store }).seedDefaults();
      key.ops = await f.keyFor(['operator'], [], 'user:ops');
      key.opsAdmin = await f.keyFor(['admin'], [], 'user:ops');
      key.finance = await f.keyFor(['approver:finance'], [], 'user:fin');
      key.checker = await f.keyFor(['approver:rules'], [], 'user:checker');
      const r = await f.call(key.ops, 'GET', '/v1/rule-sets/transfer_policy/versions/latest');
      assert.equal(r.status, 200, r.text);
      v1 = r.body.version.definitions;
      assert.equal(r.body.version.version, 1);
    });

    let draftId = '';
    await t.test('a DMN file is proposed as XML and read back with its diff', async () => {
      const defs = structuredClone(v1);
      defs.decisions[0]!.rules.find((r) => r.id === 'transfer-approval_small')!.inputEntries[0] = '<= 800';
      const r = await f.call(
        key.ops,
        'POST',
        '/v1/rule-sets/transfer_policy/drafts?comment=raise',
        await toDmnXml(defs),
        xml,
      );
      assert.equal(r.status, 201, r.text);
      draftId = r.body.draft.id;
      assert.equal(r.headers.location, `/v1/rule-drafts/${draftId}`);
      assert.equal(r.body.draft.author, 'user:ops');
      assert.equal(r.body.draft.comment, 'raise');
      const got = await f.call(key.finance, 'GET', `/v1/rule-drafts/${draftId}`);
      assert.equal(got.status, 200, got.text);
      assert.deepEqual(
        got.body.diff.tables.map((t: { rules: { changed: Array<{ ruleId: string }> } }) =>
          t.rules.changed.map((c) => c.ruleId),
        ),
        [['transfer-approval_small']],
      );
      assert.match(got.body.text, /~ rule transfer-approval_small: Transfer value "<= 500" → "<= 800"/);
      const wrongSet = await f.call(key.ops, 'POST', '/v1/rule-sets/promotion/drafts', {
        definitions: defs,
      });
      assert.equal(wrongSet.status, 400);
      assert.match(wrongSet.body.detail, /definitions id is "transfer_policy", not the rule set promotion/);
      const broken = await f.call(
        key.ops,
        'POST',
        '/v1/rule-sets/transfer_policy/drafts',
        '<definitions',
        xml,
      );
      assert.equal(broken.status, 400, broken.text);
    });

    await t.test(
      'maker-checker: the author is refused even with an admin key; a key without the permission gets 403',
      async () => {
        const self = await f.call(key.opsAdmin, 'POST', `/v1/rule-drafts/${draftId}/approve`, {});
        assert.equal(self.status, 409, self.text);
        assert.equal(self.headers['content-type'], 'application/problem+json; charset=utf-8');
        assert.match(self.body.detail, /maker-checker: user:ops proposed draft .* cannot approve it/);
        assert.equal(self.body.reason, 'self-approval');
        const own = await f.call(f.admin, 'POST', '/v1/rule-sets/transfer_policy/drafts', {
          definitions: {
            ...v1,
            decisions: v1.decisions.map((d) => ({ ...d, name: `${d.name} (admin edit)` })),
          },
        });
        assert.equal(own.status, 201, own.text);
        const ownApproval = await f.call(f.admin, 'POST', `/v1/rule-drafts/${own.body.draft.id}/approve`, {});
        assert.equal(ownApproval.status, 409, 'the first admin key cannot approve its own draft either');
        await f.call(key.checker, 'POST', `/v1/rule-drafts/${own.body.draft.id}/reject`, {
          reason: 'not needed',
        });

        const noPermission = await f.call(key.finance, 'POST', `/v1/rule-drafts/${draftId}/approve`, {});
        assert.equal(noPermission.status, 403, noPermission.text);
        const still = await f.call(key.ops, 'GET', '/v1/rule-sets/transfer_policy/versions/latest');
        assert.equal(still.body.version.version, 1);
      },
    );

    await t.test(
      'another approver publishes version 2, served as JSON and DMN, and the active table uses it',
      async () => {
        const r = await f.call(key.checker, 'POST', `/v1/rule-drafts/${draftId}/approve`, { comment: 'ok' });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.body.version.version, 2);
        assert.equal(r.body.version.approvedBy, 'user:checker');
        const dmn = await f.call(key.ops, 'GET', '/v1/rule-sets/transfer_policy/versions/2?format=dmn');
        assert.equal(dmn.status, 200);
        assert.match(String(dmn.headers['content-type']), /application\/xml/);
        assert.match(dmn.text, /&lt;= 800/);
        const active = await f.call(key.ops, 'GET', '/v1/decisions/transfer-approval/active');
        assert.equal(active.body.table.version, 'transfer_policy@2');
        const versions = await f.call(key.ops, 'GET', '/v1/rule-sets/transfer_policy');
        assert.deepEqual(
          versions.body.versions.map((v: { version: number; approvedBy: string }) => [
            v.version,
            v.approvedBy,
          ]),
          [
            [1, 'system'],
            [2, 'user:checker'],
          ],
        );
        const again = await f.call(key.checker, 'POST', `/v1/rule-drafts/${draftId}/approve`, {});
        assert.equal(again.status, 409);
      },
    );

    await t.test(
      'a regional override goes through its own review and applies to its region only',
      async () => {
        const enterprise = (await f.call(key.ops, 'GET', '/v1/decisions/transfer-approval/active')).body
          .table as DecisionTable;
        const table = { ...enterprise, rules: enterprise.rules.filter((r) => !r.id.endsWith('_small')) };
        const proposed = await f.call(
          key.finance,
          'POST',
          '/v1/decisions/transfer-approval/overrides/EU-DE',
          {
            table,
            comment: 'no small-transfer shortcut in Germany',
          },
        );
        assert.equal(proposed.status, 201, proposed.text);
        assert.deepEqual(proposed.body.against, { kind: 'enterprise', setVersion: 2 });
        const id = proposed.body.draft.id;
        const listed = await f.call(key.ops, 'GET', '/v1/rule-drafts?kind=override&status=open');
        assert.deepEqual(
          listed.body.items.map((d: { id: string }) => d.id),
          [id],
        );
        assert.equal((await f.call(key.ops, 'POST', `/v1/rule-drafts/${id}/approve`, {})).status, 403);
        const ok = await f.call(key.checker, 'POST', `/v1/rule-drafts/${id}/approve`, {});
        assert.equal(ok.status, 200, ok.text);
        assert.equal(ok.body.override.approvedBy, 'user:checker');
        const de = await f.call(key.ops, 'GET', '/v1/decisions/transfer-approval/active?region=EU-DE');
        assert.equal(de.body.overrideVersion, 1);
        assert.equal(de.body.table.version, 'transfer_policy@2/EU-DE@1');
        const fr = await f.call(key.ops, 'GET', '/v1/decisions/transfer-approval/active?region=EU-FR');
        assert.equal(fr.body.table.version, 'transfer_policy@2');
        const overrides = await f.call(key.ops, 'GET', '/v1/decisions/transfer-approval/overrides');
        assert.deepEqual(
          overrides.body.items.map((o: { region: string; author: string }) => [o.region, o.author]),
          [['EU-DE', 'user:fin']],
        );
        const audit = await f.call(f.admin, 'GET', '/v1/audit?targetKind=rule-override');
        assert.equal(audit.status, 200, audit.text);
        const verify = await f.call(f.admin, 'GET', '/v1/audit/verify');
        assert.equal(verify.body.ok, true, verify.text);
      },
    );
  });
}
