import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationFailure } from '../../src/core/index.js';
import { evaluate, loadDefaultRules } from '../../src/rules/index.js';

/** Documented cases per default table: the facts and what the table must answer. */
const cases: Record<string, Array<[string, Record<string, unknown>, unknown]>> = {
  'order-approval-limits': [
    [
      'a small till sale releases at once',
      { order: { channel: 'pos', total: 480 } },
      { approval: 'auto', approverRole: null },
    ],
    [
      'a 7,500 web order needs the e-commerce manager',
      { order: { channel: 'web', total: 7500 } },
      { approval: 'manager', approverRole: 'ecommerce-manager' },
    ],
    [
      'a 2,500 web order is still automatic (limits are inclusive)',
      { order: { channel: 'web', total: 2500 } },
      { approval: 'auto', approverRole: null },
    ],
    [
      'a 250,000 trade order goes to finance',
      { order: { channel: 'b2b', total: 250_000 } },
      { approval: 'finance', approverRole: 'finance' },
    ],
  ],
  'order-price-tolerance': [
    [
      'no variance',
      { order: { channel: 'web' }, priceCheck: { variancePct: 0, varianceAmount: 0 } },
      { action: 'accept-order-price', taskRole: null },
    ],
    [
      '1.5% at the till is honoured',
      { order: { channel: 'pos' }, priceCheck: { variancePct: 1.5, varianceAmount: 12 } },
      { action: 'accept-order-price', taskRole: null },
    ],
    [
      '1.5% on the web goes to pricing',
      { order: { channel: 'web' }, priceCheck: { variancePct: 1.5, varianceAmount: 12 } },
      { action: 'pricing-review', taskRole: 'pricing' },
    ],
    [
      'trade orders take the contract price',
      { order: { channel: 'b2b' }, priceCheck: { variancePct: 0.3, varianceAmount: 140 } },
      { action: 'accept-erp-price', taskRole: null },
    ],
  ],
  'order-risk-score': [
    [
      'a good retail customer scores nothing',
      {
        customer: { segment: 'retail' },
        order: { channel: 'pos' },
        credit: { utilisationPct: 40, daysOverdue: 0 },
      },
      null,
    ],
    [
      'a new web customer near the limit',
      {
        customer: { segment: 'new' },
        order: { channel: 'web' },
        credit: { utilisationPct: 95, daysOverdue: 0 },
      },
      60,
    ],
    [
      'a trade account over its limit and long overdue',
      {
        customer: { segment: 'trade' },
        order: { channel: 'b2b' },
        credit: { utilisationPct: 120, daysOverdue: 45 },
      },
      90,
    ],
  ],
  'credit-routing': [
    [
      'low risk releases',
      { riskScore: 10, customer: { segment: 'retail' }, order: { total: 900 } },
      { route: 'release', taskRole: null, dueIn: null },
    ],
    [
      'a key account with medium risk releases',
      { riskScore: 45, customer: { segment: 'key-account' }, order: { total: 9000 } },
      { route: 'release', taskRole: null, dueIn: null },
    ],
    [
      'medium risk goes to credit control within 4h',
      { riskScore: 45, customer: { segment: 'trade' }, order: { total: 9000 } },
      { route: 'finance-review', taskRole: 'credit-control', dueIn: '4h' },
    ],
    [
      'high risk on a large order holds it',
      { riskScore: 90, customer: { segment: 'trade' }, order: { total: 9000 } },
      { route: 'hold', taskRole: 'credit-control', dueIn: '1h' },
    ],
  ],
  'order-wms-priority': [
    [
      'next-day web order picks first',
      { order: { channel: 'web', serviceLevel: 'next-day' } },
      { wmsPriority: 1, wave: 'immediate' },
    ],
    [
      'click and collect from the till',
      { order: { channel: 'pos', serviceLevel: 'click-and-collect' } },
      { wmsPriority: 3, wave: 'next-wave' },
    ],
    [
      'standard trade order ships in the daily wave',
      { order: { channel: 'b2b', serviceLevel: 'standard' } },
      { wmsPriority: 7, wave: 'daily' },
    ],
  ],
  'promotion-margin-floor': [
    [
      'apparel at 25% approves',
      { promotion: { category: 'apparel', mechanic: 'percent-off', projectedMarginPct: 25 } },
      { decision: 'approve', financeAlert: false },
    ],
    [
      'apparel at 12% needs finance',
      { promotion: { category: 'apparel', mechanic: 'percent-off', projectedMarginPct: 12 } },
      { decision: 'finance-approval', financeAlert: true },
    ],
    [
      'grocery at 12% approves (its floor is 10%)',
      { promotion: { category: 'grocery', mechanic: 'multi-buy', projectedMarginPct: 12 } },
      { decision: 'approve', financeAlert: false },
    ],
    [
      'electronics at 3% is rejected',
      { promotion: { category: 'electronics', mechanic: 'percent-off', projectedMarginPct: 3 } },
      { decision: 'reject', financeAlert: true },
    ],
    [
      'clearance at 2% approves with an alert',
      { promotion: { category: 'home', mechanic: 'clearance', projectedMarginPct: 2 } },
      { decision: 'approve', financeAlert: true },
    ],
    [
      'clearance below cost is rejected',
      { promotion: { category: 'home', mechanic: 'clearance', projectedMarginPct: -4 } },
      { decision: 'reject', financeAlert: true },
    ],
  ],
  'promotion-finance-alerts': [
    [
      'a healthy promotion raises nothing',
      { promotion: { projectedMarginPct: 30, discountPct: 20, upliftPct: 60, dcCoverDays: 40 } },
      [],
    ],
    [
      'a deep, thin promotion the DC cannot cover',
      { promotion: { projectedMarginPct: 8, discountPct: 50, upliftPct: 250, dcCoverDays: 9 } },
      [
        { alert: 'margin-below-floor', recipient: 'finance' },
        { alert: 'deep-discount', recipient: 'finance' },
        { alert: 'high-uplift', recipient: 'supply-chain' },
        { alert: 'stock-cover-risk', recipient: 'supply-chain' },
      ],
    ],
  ],
  'transfer-approval': [
    [
      'within the regional limits',
      { transfer: { value: 1800, qty: 40, distanceKm: 90, sameRegion: true } },
      { approval: 'auto-approve', reason: 'within the regional limits', dueIn: null },
    ],
    [
      'small across regions',
      { transfer: { value: 300, qty: 10, distanceKm: 320, sameRegion: false } },
      { approval: 'auto-approve', reason: 'small transfer', dueIn: null },
    ],
    [
      'high value',
      { transfer: { value: 15_000, qty: 30, distanceKm: 20, sameRegion: true } },
      { approval: 'store-operations', reason: 'value over 10,000', dueIn: '4h' },
    ],
    [
      'large quantity',
      { transfer: { value: 1900, qty: 80, distanceKm: 20, sameRegion: true } },
      { approval: 'store-operations', reason: 'quantity over 50', dueIn: '8h' },
    ],
    [
      'medium transfer to another region',
      { transfer: { value: 1500, qty: 30, distanceKm: 120, sameRegion: false } },
      { approval: 'store-operations', reason: 'over the auto-approval limits', dueIn: '8h' },
    ],
  ],
  'return-authorisation': [
    [
      'unopened within 30 days',
      {
        returnRequest: { daysSincePurchase: 12, condition: 'unopened', category: 'apparel', channel: 'web' },
      },
      { disposition: 'approve', refundMethod: 'original-payment', restock: true },
    ],
    [
      'opened electronics are inspected',
      {
        returnRequest: {
          daysSincePurchase: 10,
          condition: 'opened',
          category: 'electronics',
          channel: 'store',
        },
      },
      { disposition: 'inspect', refundMethod: 'original-payment', restock: true },
    ],
    [
      'late return to a store gets store credit',
      { returnRequest: { daysSincePurchase: 60, condition: 'opened', category: 'home', channel: 'store' } },
      { disposition: 'approve', refundMethod: 'store-credit', restock: true },
    ],
    [
      'late marketplace return is refused',
      {
        returnRequest: {
          daysSincePurchase: 60,
          condition: 'opened',
          category: 'home',
          channel: 'marketplace',
        },
      },
      { disposition: 'reject', refundMethod: 'none', restock: false },
    ],
    [
      'opened cosmetics are refused',
      { returnRequest: { daysSincePurchase: 3, condition: 'opened', category: 'beauty', channel: 'store' } },
      { disposition: 'reject', refundMethod: 'none', restock: false },
    ],
    [
      'a faulty kettle after a year is inspected',
      { returnRequest: { daysSincePurchase: 400, condition: 'defective', category: 'home', channel: 'web' } },
      { disposition: 'inspect', refundMethod: 'original-payment', restock: false },
    ],
  ],
  'return-auto-refund': [
    [
      'standard customer, 120',
      { disposition: 'approve', customer: { tier: 'standard' }, returnRequest: { amount: 120 } },
      { autoRefund: true, reviewRole: null },
    ],
    [
      'standard customer, 180',
      { disposition: 'approve', customer: { tier: 'standard' }, returnRequest: { amount: 180 } },
      { autoRefund: false, reviewRole: 'customer-service' },
    ],
    [
      'vip, 800',
      { disposition: 'approve', customer: { tier: 'vip' }, returnRequest: { amount: 800 } },
      { autoRefund: true, reviewRole: null },
    ],
    [
      'inspection first',
      { disposition: 'inspect', customer: { tier: 'vip' }, returnRequest: { amount: 20 } },
      { autoRefund: false, reviewRole: 'returns-inspection' },
    ],
  ],
  'reorder-policy': [
    [
      'an A item with a 5-day lead time',
      { item: { abcClass: 'A', leadTimeDays: 5, dailyDemand: 12.5 } },
      { safetyDays: 4, reorderPoint: 113, orderQuantity: 88, reviewCycle: 'daily' },
    ],
    [
      'a B item from a far supplier',
      { item: { abcClass: 'B', leadTimeDays: 21, dailyDemand: 4 } },
      { safetyDays: 5, reorderPoint: 104, orderQuantity: 84, reviewCycle: 'twice-weekly' },
    ],
    [
      'a slow C item orders at least one',
      { item: { abcClass: 'C', leadTimeDays: 3, dailyDemand: 0.01 } },
      { safetyDays: 2, reorderPoint: 1, orderQuantity: 1, reviewCycle: 'weekly' },
    ],
  ],
  'wms-task-priority': [
    [
      'work about to miss its cut-off is P1 whatever it is',
      { work: { type: 'return-putaway', hoursToCutoff: 1, stockoutRisk: false } },
      { priority: 'P1' },
    ],
    [
      'customer orders are P2',
      { work: { type: 'customer-order', hoursToCutoff: 8, stockoutRisk: false } },
      { priority: 'P2' },
    ],
    [
      'replenishment for a store about to run out',
      { work: { type: 'store-replenishment', hoursToCutoff: 30, stockoutRisk: true } },
      { priority: 'P2' },
    ],
    [
      'promotion allocation a week out',
      { work: { type: 'promotion-allocation', hoursToCutoff: 160, stockoutRisk: false } },
      { priority: 'P3' },
    ],
    [
      'return put-away',
      { work: { type: 'return-putaway', hoursToCutoff: 48, stockoutRisk: false } },
      { priority: 'P4' },
    ],
  ],
};

test('every default rule file parses and every table has documented cases', async () => {
  const rules = await loadDefaultRules();
  assert.deepEqual([...rules.keys()].sort(), Object.keys(cases).sort());
  for (const table of rules.values()) assert.equal(table.version, 1, `${table.id} is versioned`);
});

test('the default tables answer their documented cases', async () => {
  const rules = await loadDefaultRules();
  for (const [id, list] of Object.entries(cases)) {
    const table = rules.get(id)!;
    for (const [what, facts, expected] of list)
      assert.deepEqual(evaluate(table, facts, { strict: true }).outputs, expected, `${id}: ${what}`);
  }
});

test('UNIQUE default tables refuse cases they do not cover instead of guessing', async () => {
  const rules = await loadDefaultRules();
  assert.throws(
    () =>
      evaluate(
        rules.get('order-approval-limits')!,
        { order: { channel: 'fax', total: 10 } },
        { strict: true },
      ),
    (err: unknown) => err instanceof ApplicationFailure && err.type === 'NoMatchingRule',
  );
  assert.throws(
    () =>
      evaluate(
        rules.get('reorder-policy')!,
        { item: { abcClass: 'D', leadTimeDays: 3, dailyDemand: 1 } },
        { strict: true },
      ),
    /no rule matches/,
  );
});
