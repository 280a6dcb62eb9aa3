import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PosInbox } from '../../src/api/index.js';
import { eventually, tempDir } from '../helpers.js';
import { apiFixture } from './fixture.js';

const f = await apiFixture();
const integrator = await f.keyFor(['integrator'], [], 'svc:pos-bridge');

// line 1 is the header; receipt 000124 has a bad row (line 5), so its good row (line 4) is held too
const BATCH = [
  'store_id,register,receipt,sold_at,sku,gtin,description,quantity,unit_price,discount,tax,currency,payment_method,cashier',
  'ST-LIS01,2,000123,2026-03-02T10:15:00+00:00,TSHIRT-BLK-M,4006381333931,"Organic cotton T-shirt, black, M",2,19.90,,7.44,EUR,card,ana',
  'ST-LIS01,2,000123,2026-03-02T10:15:00+00:00,SOCKS-3PK,,,1,9.95,1.00,1.67,EUR,card,ana',
  'ST-LIS01,3,000124,2026-03-02T10:20:00+00:00,MUG-WHT,,,1,8.00,,1.50,EUR,cash,rui',
  'ST-LIS01,3,000124,2026-03-02T10:20:00+00:00,MUG-BLK,,,-1,8.00,,1.50,EUR,cash,rui',
  '',
  'ST-LIS01,1,000125,yesterday,CAP-RED,,,1,12.00,,2.24,EURO,card,ana',
  'ST-LIS01,1,000126,2026-03-02T11:00:00Z,CAP-BLU,,,1,12.00,,2.24,EUR,voucher,ana',
].join('\n');

const postBatch = (csv: string, query = 'source=lisbon-pos', key = integrator) =>
  f.call(key, 'POST', `/v1/pos/batches?${query}`, csv, { 'content-type': 'text/csv' });

test('a POS batch: good receipts become order.created, bad rows are reported by line and quarantined', async () => {
  const r = await postBatch(BATCH);
  assert.equal(r.status, 202, r.text);
  const report = r.body;
  assert.equal(report.rows, 6, 'the empty line is not a row');
  assert.equal(report.sales, 1);
  assert.equal(report.accepted, 1);
  assert.equal(report.duplicates, 0);
  assert.equal(report.quarantined, 4, 'lines 4, 5, 7 and 8');
  assert.deepEqual(
    report.errors.map((e: { line: number }) => e.line),
    [5, 7, 8],
  );
  const at = (line: number) => report.errors.find((e: { line: number }) => e.line === line).issues;
  assert.deepEqual(at(5), [{ column: 'quantity', message: 'must be a positive number, got "-1"' }]);
  assert.deepEqual(
    at(7).map((i: { column: string }) => i.column),
    ['sold_at', 'currency'],
  );
  assert.match(at(8)[0].message, /one of card, cash, wallet, gift-card/);

  assert.deepEqual(report.results, [
    {
      receipt: '000123',
      storeId: 'ST-LIS01',
      lines: [2, 3],
      status: 'accepted',
      id: 'ST-LIS01:000123',
    },
  ]);
  const kept = await f.governance.getIngested('/pos/lisbon-pos', 'ST-LIS01:000123');
  assert.ok(kept);
  // biome-ignore lint/suspicious/noExplicitAny: the event data is inspected freely
  const sale = kept.data as Record<string, any>;
  assert.equal(sale.orderId, 'POS-LIS01-000123');
  assert.equal(sale.channel, 'pos');
  assert.equal(sale.storeId, 'ST-LIS01');
  assert.deepEqual(sale.totals.grandTotal, { amount: '48.75', currency: 'EUR' });
  assert.equal(kept.publishedBy, 'svc:pos-bridge');

  const held = (await f.governance.listQuarantined({})).filter((q) => q.source === '/pos/lisbon-pos');
  const byLine = new Map(held.map((q) => [(q.payload as { line: number }).line, q]));
  assert.deepEqual([...byLine.keys()].sort(), [4, 5, 7, 8]);
  assert.match(byLine.get(5)!.reason, /^POS batch line 5: quantity must be a positive number/);
  assert.match(byLine.get(4)!.reason, /held with receipt 000124, whose line 5 is invalid/);
  assert.equal((byLine.get(5)!.payload as { row: { sku: string } }).row.sku, 'MUG-BLK');
  assert.equal(await f.governance.getIngested('/pos/lisbon-pos', 'ST-LIS01:000124'), undefined);
});

test('posting the same batch again reports its sales as duplicates', async () => {
  const good = BATCH.split('\n').slice(0, 3).join('\n');
  const r = await postBatch(good);
  assert.equal(r.status, 202, r.text);
  assert.equal(r.body.accepted, 0);
  assert.equal(r.body.duplicates, 1);
  assert.equal(r.body.results[0].status, 'duplicate');
});

test('the store may come from the query; a batch without the header or a required column is 400', async () => {
  const csv =
    'receipt,sold_at,sku,quantity,unit_price,currency\nA-9,2026-03-02T12:00:00Z,CAP-RED,1,12.00,EUR\n';
  const r = await postBatch(csv, 'source=porto-pos&store=ST-POR02');
  assert.equal(r.status, 202, r.text);
  assert.equal(r.body.accepted, 1);
  assert.ok(await f.governance.getIngested('/pos/porto-pos', 'ST-POR02:A-9'));

  const noStore = await postBatch(csv, 'source=porto-pos');
  assert.equal(noStore.body.errors[0].issues[0].column, 'store_id');

  const missing = await postBatch('receipt,sku\n1,X\n');
  assert.equal(missing.status, 400);
  assert.match(missing.body.detail, /the header row lacks sold_at, quantity, unit_price, currency/);
  assert.equal((await postBatch('')).status, 400);
  const unclosed = await postBatch(`${csv}B-1,"2026-03-02T12:00:00Z,X,1,1.00,EUR\n`);
  assert.equal(unclosed.status, 400);
  assert.match(unclosed.body.detail, /not readable as CSV at line 3/);
});

test('posting a batch needs pos:ingest', async () => {
  const finance = await f.keyFor(['approver:finance']);
  assert.equal((await postBatch(BATCH, 'source=lisbon-pos', finance)).status, 403);
  assert.equal(
    (await f.call(undefined, 'POST', '/v1/pos/batches?source=x', BATCH, { 'content-type': 'text/csv' }))
      .status,
    401,
  );
});

test('the inbox folder reads a dropped file once and moves it to processed/ with its report', async () => {
  const dir = tempDir('baton-pos-inbox-');
  const seen: string[] = [];
  const inbox = new PosInbox(
    { ...f.app.baton },
    { dir, source: 'inbox-pos', pollIntervalMs: 20, settleMs: 0, onFile: (r) => seen.push(r.file) },
  ).start();
  try {
    writeFileSync(join(dir, 'day-1.csv'), BATCH);
    writeFileSync(join(dir, 'broken.csv'), 'no,header,here\n1,2,3\n');
    writeFileSync(join(dir, 'notes.txt'), 'not a batch');
    await eventually(async () => (seen.length >= 2 ? true : undefined));
    await new Promise((r) => setTimeout(r, 100)); // more scans: nothing is read twice
    assert.deepEqual(seen.sort(), ['broken.csv', 'day-1.csv']);
    assert.ok(existsSync(join(dir, 'processed', 'day-1.csv')));
    assert.ok(existsSync(join(dir, 'failed', 'broken.csv')));
    assert.ok(existsSync(join(dir, 'notes.txt')), 'other files are left alone');
    assert.deepEqual(readdirSync(join(dir, 'processing')), []);
    const report = JSON.parse(readFileSync(join(dir, 'processed', 'day-1.csv.report.json'), 'utf8'));
    assert.equal(report.accepted, 1);
    assert.deepEqual(
      report.errors.map((e: { line: number }) => e.line),
      [5, 7, 8],
    );
    assert.match(
      JSON.parse(readFileSync(join(dir, 'failed', 'broken.csv.report.json'), 'utf8')).error,
      /header row lacks/,
    );
    const kept = await f.governance.getIngested('/pos/inbox-pos', 'ST-LIS01:000123');
    assert.equal(kept?.publishedBy, 'pos-inbox:inbox-pos');
  } finally {
    await inbox.stop();
  }
});
