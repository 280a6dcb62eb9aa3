import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ecommerceConnector, erpConnector, posConnector } from '../../src/connectors/index.js';
import { ContractValidators, catalogue } from '../../src/contracts/index.js';
import { contractRegion } from '../../src/retail/flows/master-data.js';
import { DAY, type FlowHarness, flowHarness, START } from './supply-harness.js';

/** An approved weekend promotion from one of the estate's own campaigns, as merchandising sends it. */
function approved(h: FlowHarness, promoId: string, endsAt = '2026-03-08T23:59:59Z') {
  const p = h.sim.estate.promotions.find((x) => x.id === promoId)!;
  const eur = (n: number) => ({ amount: n.toFixed(2), currency: 'EUR' });
  return {
    promotionId: `${p.id}-W10`,
    name: p.name,
    mechanic: 'percent-off',
    discountPercent: String(p.discountPct),
    startsAt: '2026-03-07T00:00:00Z',
    endsAt,
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
    // the campaign's id where merchandising planned it: finance knows it by that id
    sourceDocument: { system: 'odoo', id: p.id, documentType: 'promotion-program' },
  };
}

const validators = new ContractValidators();
const known = new Set(catalogue.map((e) => e.type));
function assertContracts(h: FlowHarness) {
  for (const e of h.events.filter((x) => known.has(x.type))) {
    const entry = catalogue.find((c) => c.type === e.type)!;
    const issues = validators.validate(e.type, 1, entry.schema as unknown as Record<string, unknown>, e.data);
    assert.deepEqual(issues, [], `${e.type} breaks its contract`);
  }
}

test('a weekend promotion across e-commerce and 120 stores launches on every channel', async () => {
  const h = await flowHarness();
  assert.equal(h.sim.estate.stores.length, 120);
  // the DCs were stocked up for the campaign, so nobody has to step in
  const promo = approved(h, 'PROMO-01');
  const erp = h.connectors.client(erpConnector);
  for (const dc of ['DC-1', 'DC-2', 'DC-3'])
    await erp.call('postGoodsMovement', {
      movementType: 'receipt',
      location: dc,
      lines: promo.items.map((i) => ({ sku: i.sku, qty: 2000 })),
      reason: 'test: campaign stock',
    });
  const runId = await h.publish('promotion.approved', promo);
  const run = await h.drive(runId);
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  const out = run.output as {
    status: string;
    channels: Array<{ channel: string; status: string }>;
    figures: { expectedUnits: number; baselineUnits: number };
  };
  assert.equal(out.status, 'launched');
  assert.deepEqual(
    out.channels.map((c) => c.status),
    ['live', 'live'],
  );
  assert.ok(out.figures.expectedUnits > out.figures.baselineUnits, 'the uplift raises expected volume');

  const journal = await h.engine.journal(runId);
  const decisions = journal.filter((e) => e.kind === 'decide').map((e) => e.name);
  assert.ok(
    decisions.includes('promotion-margin-floor') && decisions.includes('wms-task-priority'),
    decisions.join(),
  );
  assert.ok(
    journal.filter((e) => e.name === 'read-back-prices').length >= 2,
    'the prices were read back more than once',
  );
  assert.equal((await h.engine.listTasks({ runId })).length, 0, 'a healthy launch needs nobody');

  // the sim: every store and web channel applied the promoted price
  const sku = approved(h, 'PROMO-01').items[0]!;
  const pos = h.connectors.client(posConnector);
  for (const store of ['ST-001', 'ST-060', 'ST-120']) {
    const seen = await pos.call('getPrice', { sku: sku.sku, store });
    assert.equal(seen.price, Number(sku.promoPrice.amount), `price at ${store}`);
  }
  const web = await h.connectors
    .client(ecommerceConnector)
    .call('getPrice', { sku: sku.sku, channel: 'webshop' });
  assert.equal(web.price, Number(sku.promoPrice.amount));

  const launched = h.ofType('promotion.launched');
  assert.equal(launched.length, 1);
  assert.equal((launched[0]!.data as { storeIds: string[] }).storeIds.length, 120);
  assert.equal(h.ofType('price.changed').length, approved(h, 'PROMO-01').items.length);
  assertContracts(h);
});

test('a margin below the floor alerts finance and waits for its approval; a rejection launches nothing', async () => {
  const h = await flowHarness();
  const runId = await h.publish('promotion.approved', approved(h, 'PROMO-03'));
  const waiting = await h.drive(runId);
  assert.equal(waiting.status, 'waiting');
  const [task] = await h.engine.listTasks({ runId });
  assert.equal(task?.role, 'finance');
  assert.equal(task?.escalateTo, 'finance-lead');
  assert.equal(task?.dueAt, task!.createdAt + 4 * 3_600_000);
  const alerts = h
    .ofType('promotion.alert_raised')
    .map((e) => e.data as { alert: string; recipient: string });
  assert.ok(
    alerts.some((a) => a.alert === 'margin-below-floor' && a.recipient === 'finance'),
    JSON.stringify(alerts),
  );

  const run = await h.drive(runId, (t) => (t.role === 'finance' ? { outcome: 'reject' } : undefined));
  assert.equal((run.output as { status: string }).status, 'rejected');
  assert.equal(h.ofType('promotion.rejected').length, 1);
  assert.equal(h.ofType('promotion.launched').length, 0);
  assert.ok(!(await h.engine.journal(runId)).some((e) => e.name === 'sync-prices'), 'no price went out');
});

test('a channel that does not confirm goes to merchandising; withdrawing the launch puts the prices back', async () => {
  // the e-commerce platform stops answering a minute after the prices were sent
  const faults = {
    ecommerce: {
      outageMode: 'unavailable',
      outages: [
        { start: new Date(START + 60_000).toISOString(), end: new Date(START + 150 * 60_000).toISOString() },
      ],
    },
  };
  const h = await flowHarness({ faults });
  const promo = approved(h, 'PROMO-08');
  const runId = await h.publish('promotion.approved', promo);
  const waiting = await h.drive(runId);
  const [task] = await h.engine.listTasks({ runId, status: 'open' });
  assert.equal(waiting.status, 'waiting');
  assert.equal(task?.role, 'merchandising');
  assert.equal(task?.escalateTo, 'merchandising-lead');
  assert.match(task!.title, /not confirmed by web/);
  assert.ok(h.clock.now() - START >= 2 * 3_600_000, 'the channels had their two hours');

  const run = await h.drive(runId, (t) =>
    t.role === 'merchandising' ? { outcome: 'cancel-launch' } : undefined,
  );
  assert.equal(run.status, 'compensated', JSON.stringify(run.error));
  h.clock.advance(DAY);
  const sku = promo.items[0]!;
  const seen = await h.connectors.client(posConnector).call('getPrice', { sku: sku.sku, store: 'ST-001' });
  assert.equal(seen.price, Number(sku.regularPrice.amount), 'the regular price is back at the till');
  assert.equal(h.ofType('promotion.launched').length, 0);
});

/** Empties DC-1 of these SKUs, so neither the north stores nor web demand can be covered from it. */
async function drainDc(h: FlowHarness, skus: string[]) {
  const erp = h.connectors.client(erpConnector);
  const lines = [];
  for (const sku of skus)
    lines.push({ sku, qty: (await erp.call('getStockAt', { sku, location: 'DC-1' })).available });
  await erp.call('postGoodsMovement', {
    movementType: 'issue',
    location: 'DC-1',
    lines,
    reason: 'test: damaged in a flood',
  });
}

test('a DC shortfall goes to supply chain; store transfers are requested for approval', async () => {
  const h = await flowHarness();
  // two weeks of promotion demand with an empty DC: some stores run short while others have plenty
  const promo = approved(h, 'PROMO-08', '2026-03-20T23:59:59Z');
  await drainDc(
    h,
    promo.items.map((i) => i.sku),
  );
  const runId = await h.publish('promotion.approved', promo);
  await h.drive(runId);
  const [task] = await h.engine.listTasks({ runId, status: 'open' });
  assert.equal(task?.role, 'supply-chain');
  assert.equal(task?.escalateTo, 'supply-chain-lead');
  assert.deepEqual(task?.outcomes, ['alternate-sourcing', 'store-transfers']);
  const run = await h.drive(runId, (t) =>
    t.role === 'supply-chain' ? { outcome: 'store-transfers' } : undefined,
  );
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  const transfers = h.ofType('transfer.requested');
  assert.ok(transfers.length > 0);
  assert.ok(
    transfers.every((e) => (e.data as { reason: string; fromLocationId: string }).reason === 'promotion'),
  );
  assert.equal(h.ofType('promotion.launched').length, 1);
  assertContracts(h);
});

test('a DC shortfall sourced elsewhere issues a purchase order through a replenishment run', async () => {
  const h = await flowHarness();
  const promo = approved(h, 'PROMO-08');
  const sku = promo.items[0]!.sku;
  await drainDc(h, [sku]);
  const runId = await h.publish('promotion.approved', promo);
  const run = await h.drive(runId, (t) =>
    t.role === 'supply-chain'
      ? { outcome: 'alternate-sourcing' }
      : t.role === 'procurement'
        ? { outcome: 'accept-short' }
        : undefined,
  );
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  const children = await h.engine.searchRuns({ parentId: runId });
  assert.ok(children.length >= 1);
  assert.ok(children.every((c) => c.workflow === 'replenishment.procure' && c.status === 'completed'));
  const issued = h
    .ofType('purchase_order.issued')
    .map((e) => e.data as { poNumber: string; reason: string; lines: Array<{ sku: string }> });
  const po = issued.find((x) => x.lines[0]!.sku === sku)!;
  assert.equal(po.reason, 'promotion');
  const res = await fetch(`${h.sim.url('suppliers')}/purchase-orders/${po.poNumber}`);
  assert.equal(res.status, 200, 'the supplier received the PO');
  // the launch did not wait for the supplier
  const launchedAt = Date.parse(
    (h.ofType('promotion.launched')[0]!.data as { launchedAt: string }).launchedAt,
  );
  assert.ok(launchedAt < START + DAY);
  assertContracts(h);
});

test('a finance approval left past its four hours escalates to finance-lead, once', async () => {
  const h = await flowHarness();
  const runId = await h.publish('promotion.approved', approved(h, 'PROMO-03'));
  await h.drive(runId);
  const [task] = await h.engine.listTasks({ runId, status: 'open' });
  assert.equal(task?.role, 'finance');
  // one minute before it is due, maintenance leaves it where it is
  h.clock.set(task!.dueAt! - 60_000);
  await h.engine.maintain();
  const early = await h.engine.getTask(task!.id);
  assert.equal(early.role, 'finance');
  assert.equal(early.escalatedAt, undefined);
  h.clock.set(task!.dueAt! + 60_000);
  await h.engine.maintain();
  await h.engine.maintain();
  const escalated = await h.engine.getTask(task!.id);
  assert.equal(escalated.role, 'finance-lead');
  assert.equal(escalated.status, 'open');
  assert.ok(escalated.escalatedAt !== undefined && escalated.escalatedAt >= task!.dueAt!);
  const history = (await h.engine.history(runId)).filter((e) => e.type === 'task.escalated');
  assert.equal(history.length, 1, 'escalated once');
  assert.equal(history[0]?.data?.to, 'finance-lead');
  assert.deepEqual(
    (await h.engine.listTasks({ role: 'finance-lead', status: 'open' })).map((t) => t.id),
    [task!.id],
  );
  // the lead answers in finance's place
  const run = await h.drive(runId, (t) => (t.role === 'finance-lead' ? { outcome: 'reject' } : undefined));
  assert.equal((run.output as { status: string }).status, 'rejected');
  assert.equal((h.ofType('promotion.rejected')[0]!.data as { by: string }).by, 'test.finance-lead');
});
