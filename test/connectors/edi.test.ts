import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type X12Interchange, X12Parser } from 'node-x12';
import {
  acknowledgeEdi,
  defaultSeparators,
  type EdiEvent,
  parseEdi,
  readInterchange,
  render850,
  type TradingPartnerProfile,
  X12Error,
} from '../../src/connectors/index.js';
import { ContractValidators, catalogue, type PurchaseOrderIssued } from '../../src/contracts/index.js';
import { buildEstate, indexEstate } from '../../src/sim/index.js';
import { planOrder, render810, render855, render856, render997 } from '../../src/sim/supplier-docs.js';
import { parseInterchange } from '../../src/sim/x12.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const issued = JSON.parse(fixture('purchase-order-issued.json')) as PurchaseOrderIssued;

const validators = new ContractValidators();
function assertValid(event: EdiEvent | undefined) {
  assert.ok(event);
  const entry = catalogue.find((e) => e.type === event.type)!;
  assert.deepEqual(validators.validateOnce(entry.schema as Record<string, unknown>, event.data), []);
}

function thrown(fn: () => unknown): X12Error {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof X12Error, `expected an X12Error, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an X12Error');
}

test('an issued purchase order renders as the 850 fixture and parses back to the same event', () => {
  const x12 = render850(issued);
  assert.equal(x12, fixture('850-purchase-order.edi'));
  const parsed = parseEdi(x12);
  assert.equal(parsed.events.length, 1);
  assert.equal(parsed.events[0]!.type, 'purchase_order.issued');
  assert.deepEqual(parsed.events[0]!.data, issued);
  assertValid(parsed.events[0]);
});

test('the 850 reads the same through node-x12 (strict) and through the simulated supplier', () => {
  const x12 = render850(issued, { controlNumber: 77 });
  const tree = new X12Parser(true).parse(x12) as X12Interchange;
  const set = tree.functionalGroups[0]!.transactions[0]!;
  assert.equal(tree.header.valueOf(13), '77');
  assert.equal(tree.functionalGroups[0]!.header.valueOf(6), '77');
  assert.equal(set.header.valueOf(2), '0001');
  const beg = set.segments.find((s) => s.tag === 'BEG')!;
  assert.equal(beg.valueOf(3), '4500001234');
  assert.deepEqual(
    set.segments
      .filter((s) => s.tag === 'PO1')
      .map((s) => [s.valueOf(1), s.valueOf(2), s.valueOf(4), s.valueOf(7)]),
    [
      ['10', '40', '54.00', 'TSHIRT-BLK-M'],
      ['20', '25', '61.50', 'TSHIRT-WHT-L'],
    ],
  );

  const sim = parseInterchange(x12);
  assert.equal(sim.controlNumber, '000000077');
  assert.equal(sim.receiver.id, 'TEXTEISNORTE');
  const simSet = sim.groups[0]!.sets[0]!;
  assert.equal(simSet.id, '850');
  assert.deepEqual(
    simSet.segments.find((s) => s[0] === 'DTM' && s[1] === '002'),
    ['DTM', '002', '20260328'],
  );
  assert.deepEqual(
    simSet.segments.filter((s) => s[0] === 'PO1').map((s) => s.slice(1, 8)),
    [
      ['10', '40', 'CS', '54.00', '', 'BP', 'TSHIRT-BLK-M'],
      ['20', '25', 'CS', '61.50', '', 'BP', 'TSHIRT-WHT-L'],
    ],
  );
});

test('a profile sets the parties, separators and version of the 850', () => {
  const profile: TradingPartnerProfile = {
    us: { qualifier: '01', id: '123456789', applicationCode: 'BATONPO' },
    partner: { qualifier: '14', id: '5601234000009' },
    separators: { element: '|', segment: '!', component: ':', repetition: '^' },
    version: '005010',
    usage: 'T',
  };
  const x12 = render850(issued, { profile, controlNumber: 31 });
  assert.match(
    x12,
    /^ISA\|00\|.{10}\|00\|.{10}\|01\|123456789 {6}\|14\|5601234000009 {2}\|260321\|0705\|\^\|00501\|000000031\|0\|T\|:!/,
  );
  assert.match(x12, /GS\|PO\|BATONPO\|5601234000009\|20260321\|0705\|31\|X\|005010!/);
  const back = parseEdi(x12).events[0]!.data as PurchaseOrderIssued;
  assert.deepEqual(back.lines, issued.lines);
  assert.equal(back.x12?.senderId, '123456789');
  assert.equal(parseInterchange(x12).version, '005010');

  const withPipe = { ...issued, incoterms: { code: 'DAP' as const, place: 'Dock 3 | gate B' } };
  assert.throws(() => render850(withPipe, { profile }), /FOB07 "Dock 3 \| gate B" holds the separator "\|"/);
  assert.throws(
    () =>
      render850({
        ...issued,
        lines: [{ ...issued.lines[0]!, unitPrice: { amount: '54.00', currency: 'USD' } }],
      }),
    /\/lines\/0\/unitPrice\/currency USD differs/,
  );
  assert.deepEqual(defaultSeparators, { element: '*', segment: '~', component: '>', repetition: '^' });
});

test('the 855 fixture becomes purchase_order.acknowledged with each line status, quantity and date', () => {
  const { events } = parseEdi(fixture('855-accepted-with-changes.edi'));
  assertValid(events[0]);
  const ack = events[0]!;
  assert.equal(ack.type, 'purchase_order.acknowledged');
  if (ack.type !== 'purchase_order.acknowledged') return;
  assert.equal(ack.data.status, 'accepted-with-changes');
  assert.equal(ack.data.supplierId, '0000100234');
  assert.equal(ack.data.supplierOrderNumber, 'TDN-SO-88231');
  assert.equal(ack.data.acknowledgedAt, '2026-03-21T10:12:00Z');
  assert.deepEqual(
    ack.data.lines.map((l) => [l.lineNumber, l.status, l.quantity.value, l.promisedDate]),
    [
      ['10', 'rescheduled', 40, '2026-03-30'],
      ['20', 'changed', 18, '2026-03-28'],
      ['30', 'accepted', 10, '2026-03-28'],
      ['40', 'rejected', 0, undefined],
    ],
  );
  assert.deepEqual(ack.data.x12, {
    transactionSet: '855',
    interchangeControlNumber: '000091877',
    groupControlNumber: '91877',
    transactionSetControlNumber: '0001',
    senderId: 'TEXTEISNORTE',
    receiverId: 'BATONRETAIL',
  });
});

test('the 856 fixture becomes asn.received with its shipment, orders, pallets by SSCC and items', () => {
  const { events } = parseEdi(fixture('856-asn.edi'));
  assertValid(events[0]);
  const asn = events[0]!;
  if (asn.type !== 'asn.received') assert.fail(asn.type);
  assert.equal(asn.data.asnNumber, 'TDN-ASN-20260329-01');
  assert.equal(asn.data.shipToLocationId, 'DC-01');
  assert.equal(asn.data.shippedAt, '2026-03-29T06:00:00Z');
  assert.equal(asn.data.expectedDeliveryAt, '2026-03-30T08:00:00Z');
  assert.deepEqual(asn.data.carrier, {
    name: 'Transportes Rapidos',
    scac: 'TRPD',
    service: 'LTL',
    trackingNumber: 'TRPD7781203',
  });
  assert.deepEqual(asn.data.poNumbers, ['4500001234']);
  // the second SSCC carries the GS1 application identifier (00) in front, which is dropped
  assert.deepEqual(
    asn.data.packages.map((p) => [
      p.sscc,
      p.lines.map((l) => `${l.poLineNumber}:${l.sku}:${l.quantity.value}`),
    ]),
    [
      ['034012345000000026', ['10:TSHIRT-BLK-M:40']],
      ['034012345000000033', ['20:TSHIRT-WHT-L:12', '30:POLO-NVY-S:10']],
    ],
  );
  assert.equal(asn.data.packages[0]!.lines[0]!.lot, 'L2026-0312');
  assert.equal(asn.data.packages[1]!.lines[0]!.bestBefore, '2028-01-01');
});

test('the 810 fixture becomes invoice.posted with exact line amounts, tax, total and due date', () => {
  const { events } = parseEdi(fixture('810-invoice.edi'));
  assertValid(events[0]);
  const inv = events[0]!;
  if (inv.type !== 'invoice.posted') assert.fail(inv.type);
  assert.equal(inv.data.invoiceNumber, 'FT 2026/0418');
  assert.equal(inv.data.direction, 'payable');
  assert.equal(inv.data.poNumber, '4500001234');
  assert.deepEqual(inv.data.party, {
    id: '0000100234',
    name: 'Texteis do Norte, Lda.',
    gln: '5601234000009',
  });
  assert.equal(inv.data.dueDate, '2026-04-30', 'ITD07 30 days after the invoice date');
  assert.deepEqual(
    inv.data.lines.map((l) => [l.lineNumber, l.amount.amount, l.description]),
    [
      ['10', '2160.00', 'T-shirt organic cotton black M, case of 12'],
      ['20', '738.00', 'T-shirt organic cotton white L, case of 12'],
    ],
  );
  assert.deepEqual(
    [inv.data.subtotal.amount, inv.data.tax.amount, inv.data.total.amount],
    ['2898.00', '666.54', '3564.54'],
  );
});

test('the 997 fixture reads as the partner’s acceptance of our 850 group', () => {
  const { events, acknowledgements } = parseEdi(fixture('997-accepting-850.edi'));
  assert.equal(events.length, 0);
  assert.equal(acknowledgements[0]!.functionalId, 'PO');
  assert.equal(acknowledgements[0]!.groupControlNumber, '4512');
  assert.equal(acknowledgements[0]!.status, 'accepted');
  assert.deepEqual(acknowledgements[0]!.sets[0], {
    transactionSet: '850',
    controlNumber: '0001',
    accepted: true,
    codes: [],
    errors: [],
  });
  assert.throws(() => acknowledgeEdi(fixture('997-accepting-850.edi')), /a 997 is not itself acknowledged/);
});

test('documents the simulated supplier writes parse into valid events', () => {
  const estate = buildEstate();
  const index = indexEstate(estate);
  const supplier = estate.suppliers[0]!;
  const dc = estate.distributionCentres[0]!;
  const skus = estate.skus.filter((k) => k.supplierId === supplier.id).slice(0, 3);
  const foreign = estate.skus.find((k) => k.supplierId !== supplier.id)!;
  const po = {
    supplierId: supplier.id,
    poNumber: '4500007001',
    orderDate: '2026-03-21',
    shipTo: dc.id,
    lines: [...skus, foreign].map((k, i) => ({ line: (i + 1) * 10, sku: k.sku, qty: 24, unitPrice: k.cost })),
  };
  const plan = planOrder(index, 'edi-test', supplier, po, Date.parse('2026-03-21T08:00:00Z'), 86_400_000);
  const env = (controlNumber: number) => ({ supplier, controlNumber, at: plan.ackAt });
  const options = { currency: estate.currency, locations: { [dc.gln]: dc.id } };

  const ack = parseEdi(render855(index, env(501), po, plan), options).events[0]!;
  assertValid(ack);
  if (ack.type !== 'purchase_order.acknowledged') assert.fail(ack.type);
  assert.equal(ack.data.poNumber, '4500007001');
  assert.deepEqual(
    ack.data.lines.map((l) => [Number(l.lineNumber), l.quantity.value]),
    plan.lines.map((l) => [l.line, l.confirmed]),
  );
  // the SKU outside the supplier's range is rejected (IR) by the simulated supplier
  assert.equal(ack.data.lines.at(-1)!.status, 'rejected');

  const asn = parseEdi(render856(index, env(502), po, plan, 'SHP-9'), options).events[0]!;
  assertValid(asn);
  if (asn.type !== 'asn.received') assert.fail(asn.type);
  assert.equal(asn.data.shipToLocationId, dc.id);
  assert.equal(asn.data.carrier?.scac, 'DHLC');
  const shipped = plan.lines.filter((l) => l.shipped > 0);
  assert.deepEqual(
    asn.data.packages.map((p) => [p.lines[0]!.sku, p.lines[0]!.quantity.value]),
    shipped.map((l) => [l.sku, l.shipped]),
  );

  const inv = parseEdi(render810(index, env(503), po, plan, 'INV-9'), options).events[0]!;
  assertValid(inv);
  if (inv.type !== 'invoice.posted') assert.fail(inv.type);
  assert.equal(inv.data.total.amount, inv.data.subtotal.amount, 'TDS01 in cents equals the sum of the lines');
  assert.equal(inv.data.party.id, supplier.edi.interchangeId, 'without REF*IA or a profile, the sender id');

  const fa = parseEdi(render997(env(504), '4512', '0001')).acknowledgements[0]!;
  assert.equal(fa.status, 'accepted');
  assert.equal(fa.groupControlNumber, '4512');

  const unmapped = thrown(() => parseEdi(render856(index, env(505), po, plan, 'SHP-9'), { currency: 'EUR' }));
  assert.match(
    unmapped.message,
    /segment 10 \(N1\) at byte \d+: N104 names GLN \d{13}, which is no Baton location id/,
  );
});

const good855 = fixture('855-accepted-with-changes.edi');

test('malformed documents name the segment, its index and byte offset, and what is wrong', () => {
  const badCount = thrown(() => parseEdi(good855.replace('SE*14*0001', 'SE*12*0001')));
  const seOffset = Buffer.byteLength(good855.slice(0, good855.indexOf('SE*14')));
  assert.equal(
    badCount.message,
    `X12 855 0001: segment 16 (SE) at byte ${seOffset}: SE01 says 12 segments but the set has 14, ST and SE included`,
  );
  assert.deepEqual(badCount.segment, { id: 'SE', index: 16, offset: seOffset });

  const noIea = thrown(() => parseEdi(good855.replace('IEA*1*000091877~\n', '')));
  assert.match(noIea.message, /^X12 segment 17 \(GE\) at byte \d+: the interchange has no IEA trailer/);

  const wrongIea = thrown(() => parseEdi(good855.replace('IEA*1*000091877', 'IEA*1*000091878')));
  assert.match(
    wrongIea.message,
    /segment 18 \(IEA\) at byte \d+: IEA02 000091878 does not match ISA13 000091877/,
  );

  const wrongGe = thrown(() => parseEdi(good855.replace('GE*1*91877', 'GE*1*91876')));
  assert.match(
    wrongGe.message,
    /^X12 group 91877: segment 17 \(GE\) at byte \d+: GE02 91876 does not match GS06 91877/,
  );

  const wrongSe = thrown(() => parseEdi(good855.replace('SE*14*0001', 'SE*14*0002')));
  assert.match(wrongSe.message, /segment 16 \(SE\) at byte \d+: SE02 0002 does not match ST02 0001/);

  const cut = good855.slice(0, good855.indexOf('ACK*IQ') + 9);
  const truncated = thrown(() => parseEdi(cut));
  assert.equal(
    truncated.message,
    `X12 segment 10 (ACK) at byte ${Buffer.byteLength(cut.slice(0, cut.indexOf('ACK*IQ')))}: the document is cut off inside segment ACK: no segment terminator "~" after it`,
  );
  assert.match(
    thrown(() => parseEdi(good855.slice(0, 80))).message,
    /cut off: the ISA segment has 106 fixed characters/,
  );
  assert.match(thrown(() => parseEdi('GS*PR*A*B~')).message, /an interchange starts with an ISA segment/);

  const noSe = thrown(() => parseEdi(good855.replace('SE*14*0001~\n', '')));
  assert.match(noSe.message, /segment 15 \(CTT\) at byte \d+: transaction set 855 0001 has no SE trailer/);

  const badStatus = thrown(() => parseEdi(good855.replace('ACK*IQ', 'ACK*ZZ')));
  assert.match(
    badStatus.message,
    /^X12 855 0001: segment 10 \(ACK\) at byte \d+: ACK01 "ZZ" is not a line status/,
  );

  const badDate = thrown(() => parseEdi(good855.replace('20260330', '20260231')));
  assert.match(badDate.message, /segment 8 \(ACK\) at byte \d+: ACK05 "20260231" is not a date/);
});

test('a value the contract refuses is reported on the segment it came from', () => {
  const short = fixture('856-asn.edi').replace('MAN*GM*034012345000000026', 'MAN*GM*03401234500000002');
  const err = thrown(() => parseEdi(short));
  assert.match(
    err.message,
    /segment 17 \(MAN\) at byte \d+: the asn.received event would not satisfy its contract: \/packages\/0\/sscc must match pattern/,
  );
});

test('the 997 accepts a good document and rejects a bad one with AK3/AK4 naming the segment', () => {
  const at = new Date('2026-03-21T10:30:00Z');
  const ok = acknowledgeEdi(good855, { controlNumber: 9001, at });
  assert.equal(ok.accepted, true);
  const okSets = parseInterchange(ok.x12).groups[0]!;
  assert.equal(okSets.functionalId, 'FA');
  assert.deepEqual(okSets.sets[0]!.segments, [
    ['AK1', 'PR', '91877'],
    ['AK2', '855', '0001'],
    ['AK5', 'A'],
    ['AK9', 'A', '1', '1', '1'],
  ]);
  const icn = readInterchange(ok.x12);
  assert.deepEqual(
    [icn.sender.id, icn.receiver.id, icn.controlNumber],
    ['BATONRETAIL', 'TEXTEISNORTE', '000009001'],
  );

  const bad = acknowledgeEdi(good855.replace('ACK*IQ', 'ACK*ZZ'), { at });
  assert.equal(bad.accepted, false);
  assert.match(bad.errors[0]!, /ACK01 "ZZ" is not a line status/);
  assert.deepEqual(parseInterchange(bad.x12).groups[0]!.sets[0]!.segments, [
    ['AK1', 'PR', '91877'],
    ['AK2', '855', '0001'],
    ['AK3', 'ACK', '8', '', '8'],
    ['AK4', '1', '', '7', 'ZZ'],
    ['AK5', 'R', '5'],
    ['AK9', 'R', '1', '1', '0'],
  ]);
  // Baton's own reader of 997s reads what Baton wrote
  const read = parseEdi(bad.x12).acknowledgements[0]!;
  assert.equal(read.status, 'rejected');
  assert.deepEqual(read.sets[0]!.errors, [
    { segment: 'ACK', position: 8, code: '8', elements: [{ position: '1', code: '7', data: 'ZZ' }] },
  ]);

  const count = acknowledgeEdi(good855.replace('SE*14*0001', 'SE*13*0001'), { at });
  assert.deepEqual(parseInterchange(count.x12).groups[0]!.sets[0]!.segments.slice(2), [
    ['AK5', 'R', '4'],
    ['AK9', 'R', '1', '1', '0'],
  ]);
  const group = acknowledgeEdi(good855.replace('GE*1*91877', 'GE*2*91877'), { at });
  assert.deepEqual(parseInterchange(group.x12).groups[0]!.sets[0]!.segments.at(-1), [
    'AK9',
    'R',
    '1',
    '1',
    '0',
    '5',
  ]);
  assert.throws(() => acknowledgeEdi(good855.replace('IEA*1*000091877~\n', '')), /no IEA trailer/);
});
