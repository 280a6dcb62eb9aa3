import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contractRegion } from '../../src/retail/flows/master-data.js';
import { orderQuantity } from '../../src/retail/flows/replenishment-input.js';
import { governedRules } from '../../src/retail/index.js';
import { type Definitions, evaluate, RuleGovernance } from '../../src/rules/index.js';
import type { JournalEntry } from '../../src/store/index.js';
import { eventually } from '../helpers.js';
import { type FlowHarness, flowHarness } from './supply-harness.js';

/** PROMO-03 as merchandising approves it: its margin is below the 20 % floor. */
function approved(h: FlowHarness, week: string) {
  const p = h.sim.estate.promotions.find((x) => x.id === 'PROMO-03')!;
  const eur = (n: number) => ({ amount: n.toFixed(2), currency: 'EUR' });
  return {
    promotionId: `${p.id}-${week}`,
    name: p.name,
    mechanic: 'percent-off',
    discountPercent: String(p.discountPct),
    startsAt: '2026-03-07T00:00:00Z',
    endsAt: '2026-03-08T23:59:59Z',
    regions: p.regions.map((r) => contractRegion(r)),
    channels: ['pos', 'web'],
    items: p.skus.map((sku) => {
      const item = h.sim.index.skus.get(sku)!;
      return {
        sku,
        gtin: item.gtin,
        regularPrice: eur(item.prices.store),
        promoPrice: eur(Math.round(item.prices.store * (100 - p.discountPct)) / 100),
      };
    }),
    approvedBy: 'marta.merch',
    approvedAt: '2026-03-02T07:30:00Z',
    sourceDocument: { system: 'odoo', id: p.id, documentType: 'promotion-program' },
  };
}

const decided = (journal: JournalEntry[], table: string) => {
  const e = journal.find((x) => x.kind === 'decide' && x.name === table)!;
  return {
    version: (e.input as { version: unknown }).version,
    outputs: (e.result as { outputs: Record<string, unknown> }).outputs,
  };
};

test('a published version of promotion-margin-floor changes what a new launch decides', async () => {
  const h = await flowHarness({ rules: (store) => governedRules(store) });
  const rules = new RuleGovernance({ store: h.store });
  await rules.seedDefaults();

  // version 1: below the floor, finance approves
  const first = await h.publish('promotion.approved', approved(h, 'W10'));
  assert.equal((await h.drive(first)).status, 'waiting');
  const [review] = await h.engine.listTasks({ runId: first, status: 'open' });
  assert.equal(review?.role, 'finance');
  const margin = (review!.data as { projectedMarginPct: number }).projectedMarginPct;
  const before = await h.engine.journal(first);
  assert.ok(
    before.some((e) => e.kind === 'step' && e.name.startsWith('rules:promotion-margin-floor')),
    'the table was read in a step',
  );
  assert.deepEqual(decided(before, 'promotion-margin-floor'), {
    version: 'promotion@1',
    outputs: { decision: 'finance-approval', financeAlert: true },
  });

  // version 2: finance lowers the floor to just under this campaign's margin
  const floor = Math.floor(margin);
  assert.ok(floor > 5 && floor < 20, `margin ${margin} is between the floors`);
  const v2 = structuredClone((await rules.version('promotion', 1)).model) as Definitions;
  const table = v2.decisions.find((d) => d.id === 'promotion-margin-floor')!;
  const rule = (id: string) => table.rules.find((r) => r.id === id)!;
  rule('promotion-margin-floor_floor').inputEntries[2] = `>= ${floor}`;
  rule('promotion-margin-floor_below_floor').inputEntries[2] = `[5..${floor}[`;
  const draft = await rules.propose(v2, { name: 'user:fin' }, { comment: `floor at ${floor} %` });
  await rules.approve(draft.draft.id, { name: 'user:cfo' });

  const second = await h.publish('promotion.approved', approved(h, 'W11'));
  await h.drive(second);
  const after = await h.engine.journal(second);
  assert.deepEqual(decided(after, 'promotion-margin-floor'), {
    version: 'promotion@2',
    outputs: { decision: 'approve', financeAlert: false },
  });
  assert.ok(
    !(await h.engine.listTasks({ runId: second })).some((t) => t.role === 'finance'),
    'no finance approval under version 2',
  );
  assert.ok(
    after.some((e) => e.name === 'sync-prices'),
    'the launch went on to the prices',
  );
  // the first run keeps the version it decided with
  assert.equal(decided(await h.engine.journal(first), 'promotion-margin-floor').version, 'promotion@1');
});

test('a published reorder-policy version changes the quantity a replenishment run orders', async () => {
  const h = await flowHarness({ rules: (store) => governedRules(store) });
  const rules = new RuleGovernance({ store: h.store });
  await rules.seedDefaults();
  // one run at a time per location and SKU: the second run orders another SKU
  const [first, second] = h.sim.estate.skus;
  const breach = (sku: string) => ({
    locationId: 'DC-1',
    sku,
    threshold: 'reorder-point',
    onHand: { value: 0, uom: 'EA' },
    available: { value: 0, uom: 'EA' },
    thresholdQuantity: { value: 50, uom: 'EA' },
    detectedAt: '2026-03-02T07:55:00Z',
  });
  /** The run's policy decision and the quantity of the PO it sent (the run then waits for the 855). */
  const ordered = async (runId: string) => {
    const journal = await eventually(
      async () => {
        const j = await h.engine.journal(runId);
        return j.some((e) => e.kind === 'emit' && e.name === 'purchase_order.issued') ? j : undefined;
      },
      10_000,
      'the PO',
    );
    const { poNumber } = journal.find((e) => e.name === 'send-850')!.result as { poNumber: string };
    const po = await eventually(
      async () => h.ofType('purchase_order.issued').find((e) => e.subject === poNumber),
      10_000,
      'purchase_order.issued',
    );
    const qty = (po.data as { lines: Array<{ quantity: { value: number } }> }).lines[0]!.quantity.value;
    const facts = (journal.find((e) => e.kind === 'decide')!.input as { facts: Record<string, unknown> })
      .facts;
    return { ...decided(journal, 'reorder-policy'), facts, qty };
  };

  const v1 = await ordered(await h.publish('inventory.threshold_breached', breach(first!.sku)));
  assert.equal(v1.version, 'replenishment@1');
  const v1Table = (await rules.version('replenishment', 1)).model.decisions.find(
    (d) => d.id === 'reorder-policy',
  )!;

  // version 2 triples every order quantity
  const v2 = structuredClone((await rules.version('replenishment', 1)).model) as Definitions;
  const table = v2.decisions.find((d) => d.id === 'reorder-policy')!;
  const col = table.outputs.findIndex((o) => o.name === 'orderQuantity');
  for (const r of table.rules) r.outputEntries[col] = `(${r.outputEntries[col]}) * 3`;
  const draft = await rules.propose(v2, { name: 'user:planner' }, { comment: 'triple the order quantity' });
  await rules.approve(draft.draft.id, { name: 'user:head-of-supply' });

  const later = await ordered(await h.publish('inventory.threshold_breached', breach(second!.sku)));
  assert.equal(later.version, 'replenishment@2');
  // what version 1 would have decided on the same facts
  const before = evaluate(v1Table, later.facts).outputs as { reorderPoint: number; orderQuantity: number };
  assert.equal(later.outputs.orderQuantity, before.orderQuantity * 3);
  const policy = later.outputs as { reorderPoint: number; orderQuantity: number };
  assert.equal(later.qty, orderQuantity(policy, 0, undefined, second!.packSize));
  const wouldHave = orderQuantity(before, 0, undefined, second!.packSize);
  assert.ok(later.qty > wouldHave, `the PO is ${later.qty} units, not ${wouldHave}`);
});
