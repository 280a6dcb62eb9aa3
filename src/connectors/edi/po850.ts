/**
 * The 850 purchase order, both ways: written from `purchase_order.issued`, and read back into
 * it (for copies, audits and round trips).
 *
 * Segment map (004010): BEG (PO number, date) · CUR · REF*IL (the ERP document: REF02 its id,
 * REF03 `system;documentType;number`) · REF*ZZ (order reason) · FOB (Incoterms in FOB05, place
 * in FOB07) · ITD (payment terms in ITD12, net days in ITD07) · DTM*004 (issued, UTC) · DTM*002
 * (requested delivery) · N1*SU / N1*ST with REF*IA (vendor number) and REF*LU (GLN) · PO1 (line,
 * quantity, unit, price, BP SKU, EN/UP/UK GTIN, VP supplier part) · CTT · AMT*TT (total).
 */
import type { PurchaseOrderIssued } from '../../contracts/index.js';
import { ValidationError } from '../../core/index.js';
import { fromUnits, times } from './decimal.js';
import { defaultSeparators, type TradingPartnerProfile } from './profile.js';
import {
  amount,
  bad,
  currency,
  date,
  envelopeOf,
  from,
  gtinQualifier,
  itemIds,
  missing,
  partyLoops,
  quantity,
  type ReadContext,
  timestamp,
  unit,
} from './read.js';
import { writeInterchange, x12Date } from './writer.js';

export interface Render850Options {
  /** Defaults to one built from the event's x12 ids (or BATONRETAIL and the supplier id). */
  profile?: TradingPartnerProfile;
  /** ISA13/GS06; defaults to the event's x12 interchange control number, else 1. */
  controlNumber?: number;
}

/** The profile used when none is given: ZZ ids from the event's envelope, default separators, 004010. */
export function profileFor(po: PurchaseOrderIssued): TradingPartnerProfile {
  return {
    us: { qualifier: 'ZZ', id: po.x12?.senderId ?? 'BATONRETAIL' },
    partner: { qualifier: 'ZZ', id: po.x12?.receiverId ?? po.supplier.id.slice(0, 15) },
    separators: defaultSeparators,
    version: '004010',
    usage: 'P',
  };
}

const hhmmss = (at: Date) => at.toISOString().slice(11, 19).replace(/:/g, '');

/** The 850 interchange for a purchase order that satisfies the purchase_order.issued contract. */
export function render850(po: PurchaseOrderIssued, options: Render850Options = {}): string {
  const cur = po.total.currency;
  po.lines.forEach((l, i) => {
    if (l.unitPrice.currency !== cur)
      throw new ValidationError(
        `/lines/${i}/unitPrice/currency ${l.unitPrice.currency} differs from the total's ${cur}; an 850 has one currency`,
        [{ path: `/lines/${i}/unitPrice/currency`, message: `must be ${cur}, the currency of the total` }],
      );
  });
  const doc = po.erpDocument;
  const described = [doc.system, doc.documentType ?? '', doc.number ?? ''];
  if (described.some((v) => v.includes(';')))
    throw new ValidationError('/erpDocument: documentType and number may not contain ";"', [
      { path: '/erpDocument', message: 'documentType and number may not contain ";"' },
    ]);
  const issued = new Date(po.issuedAt);
  const party = (role: string, name: string, id: string, gln: string | undefined, idRef: string) =>
    gln
      ? [
          ['N1', role, name, 'UL', gln],
          ['REF', idRef, id],
        ]
      : [['N1', role, name, '92', id]];
  const netDays = /^NET\s?(\d{1,3})$/i.exec(po.paymentTerms ?? '')?.[1] ?? '';
  const body: string[][] = [
    ['BEG', '00', 'SA', po.poNumber, '', x12Date(issued)],
    ['CUR', 'BY', cur],
    ['REF', 'IL', doc.id.slice(0, 50), described.join(';').replace(/;+$/, '')],
    ...(po.reason ? [['REF', 'ZZ', po.reason]] : []),
    ...(po.incoterms
      ? [
          [
            'FOB',
            'DF',
            '',
            '',
            '01',
            po.incoterms.code,
            ...(po.incoterms.place ? ['ZZ', po.incoterms.place] : []),
          ],
        ]
      : []),
    ...(po.paymentTerms ? [['ITD', '', '', '', '', '', '', netDays, '', '', '', '', po.paymentTerms]] : []),
    ['DTM', '004', x12Date(issued), hhmmss(issued), 'UT'],
    ['DTM', '002', po.requestedDeliveryDate.replace(/-/g, '')],
    ...party('SU', (po.supplier.name ?? '').slice(0, 60), po.supplier.id, po.supplier.gln, 'IA'),
    ...party('ST', '', po.shipTo.locationId, po.shipTo.gln, 'ST'),
    ...po.lines.map((l) => [
      'PO1',
      l.lineNumber,
      String(l.quantity.value),
      l.quantity.uom,
      l.unitPrice.amount,
      '',
      'BP',
      l.sku,
      ...(l.gtin ? [gtinQualifier(l.gtin), l.gtin] : []),
      ...(l.supplierItemId ? ['VP', l.supplierItemId] : []),
    ]),
    ['CTT', String(po.lines.length), String(po.lines.reduce((s, l) => s + l.quantity.value, 0))],
    ['AMT', 'TT', po.total.amount],
  ];
  return writeInterchange({
    profile: options.profile ?? profileFor(po),
    controlNumber: options.controlNumber ?? Number(po.x12?.interchangeControlNumber ?? 1),
    functionalId: 'PO',
    sets: [{ id: '850', body }],
    at: issued,
  });
}

/** A purchase_order.issued from an 850 set (the contract check comes after). */
export function read850(ctx: ReadContext): PurchaseOrderIssued | undefined {
  const body = ctx.set.body;
  const beg = body.find((s) => s.id === 'BEG');
  if (!beg) return missing(ctx, 'BEG', 'the beginning segment with the PO number is required');
  from(ctx, '/poNumber', beg);
  const cur = currency(
    ctx,
    body.find((s) => s.id === 'CUR'),
  );
  const money = (seg: (typeof body)[number], n: number) => {
    const a = amount(ctx, seg, n);
    if (a === undefined) return undefined;
    if (!cur) return missing(ctx, 'CUR', 'amounts need a currency (CUR02, or one in the partner profile)');
    return { amount: a, currency: cur };
  };
  const ref = (q: string) => body.find((s) => s.id === 'REF' && s.e[1] === q);
  const dtm = (q: string) => body.find((s) => s.id === 'DTM' && s.e[1] === q);
  const parties = partyLoops(body);
  const supplier = parties.get('SU') ?? parties.get('SE') ?? parties.get('VN');
  const shipTo = parties.get('ST');
  if (!shipTo) return missing(ctx, 'N1', 'the ship-to party (N1*ST) is required');

  const il = ref('IL');
  const [system, documentType, number] = (il?.e[3] ?? '').split(';');
  const issuedDtm = dtm('004');
  const issuedAt = issuedDtm ? timestamp(ctx, issuedDtm, 2, 3) : `${date(ctx, beg, 5)}T00:00:00Z`;
  const delivery = dtm('002');
  if (!delivery) return missing(ctx, 'DTM', 'the requested delivery date (DTM*002) is required');
  const requestedDeliveryDate = date(ctx, delivery, 2);
  from(ctx, '/requestedDeliveryDate', delivery);

  const lines: PurchaseOrderIssued['lines'] = [];
  let total = 0n;
  for (const seg of body.filter((s) => s.id === 'PO1')) {
    const at = `/lines/${lines.length}`;
    from(ctx, at, seg);
    const ids = itemIds(seg, 6);
    const value = quantity(ctx, seg, 2);
    const uom = unit(ctx, seg, 3);
    const price = money(seg, 4);
    if (!ids.sku) bad(ctx, seg, 7, '1', 'the buyer’s part number (BP) is required: it is the SKU');
    if (value === undefined || uom === undefined || price === undefined || !ids.sku) continue;
    total += times(String(value), price.amount);
    lines.push({
      lineNumber: seg.e[1] ?? '',
      sku: ids.sku,
      ...(ids.gtin ? { gtin: ids.gtin } : {}),
      ...(ids.supplierItemId ? { supplierItemId: ids.supplierItemId } : {}),
      quantity: { value, uom },
      unitPrice: price,
    });
  }
  if (lines.length === 0 && ctx.problems.length === 0) missing(ctx, 'PO1', 'an order has at least one line');
  const amt = body.find((s) => s.id === 'AMT' && s.e[1] === 'TT');
  const stated = amt ? money(amt, 2) : undefined;
  if (amt) from(ctx, '/total', amt);
  const fob = body.find((s) => s.id === 'FOB');
  const itd = body.find((s) => s.id === 'ITD');
  const terms = itd?.e[12] || (itd?.e[7] ? `NET${itd.e[7]}` : '');
  if (fob) from(ctx, '/incoterms', fob);
  const reason = ref('ZZ')?.e[2];
  if (reason) from(ctx, '/reason', ref('ZZ')!);
  if (ctx.problems.length > 0 || !issuedAt || !requestedDeliveryDate || !cur) return undefined;

  return {
    poNumber: beg.e[3] ?? '',
    erpDocument: il
      ? {
          system: (system || 'edi-x12') as PurchaseOrderIssued['erpDocument']['system'],
          id: il.e[2] ?? '',
          ...(documentType ? { documentType } : {}),
          ...(number ? { number } : {}),
        }
      : { system: 'edi-x12', id: beg.e[3] ?? '', documentType: 'purchase-order' },
    supplier: {
      id: supplier?.id ?? ctx.ic.receiver.id,
      ...(supplier?.name ? { name: supplier.name } : {}),
      ...(supplier?.gln ? { gln: supplier.gln } : {}),
    },
    shipTo: { locationId: shipTo.id ?? '', ...(shipTo.gln ? { gln: shipTo.gln } : {}) },
    issuedAt,
    requestedDeliveryDate,
    ...(fob?.e[5]
      ? {
          incoterms: {
            code: fob.e[5] as NonNullable<PurchaseOrderIssued['incoterms']>['code'],
            ...(fob.e[7] ? { place: fob.e[7] } : {}),
          },
        }
      : {}),
    ...(terms ? { paymentTerms: terms } : {}),
    lines,
    total: stated ?? { amount: fromUnits(total), currency: cur },
    ...(reason ? { reason: reason as NonNullable<PurchaseOrderIssued['reason']> } : {}),
    x12: envelopeOf(ctx, '850'),
  };
}
