import type { EstateIndex } from './estate.js';
import { sscc18 } from './gs1.js';
import type { Supplier } from './model.js';
import { cents, Rng } from './random.js';
import { type Party, renderInterchange, x12Date } from './x12.js';

/** The retailer's side of every interchange. */
export const RETAILER_PARTY: Party = { qualifier: 'ZZ', id: 'BATONRETAIL' };

export interface PurchaseOrder {
  supplierId: string;
  poNumber: string;
  orderDate: string;
  shipTo: string;
  requestedDelivery?: string;
  lines: Array<{ line: number; sku: string; qty: number; unitPrice: number }>;
}

/** What the supplier does with one line: the 855 line status and what it then ships. */
export interface LinePlan {
  line: number;
  sku: string;
  ordered: number;
  /** IA accepted, IQ quantity changed, DR date rescheduled, IR rejected. */
  status: 'IA' | 'IQ' | 'DR' | 'IR';
  confirmed: number;
  shipped: number;
  unitPrice: number;
  reason?: string;
}

export interface SupplierPlan {
  ackAt: number;
  promisedShip: number;
  /** The later ship date of lines acknowledged as rescheduled (DR). */
  rescheduledShip: number;
  shipAt: number;
  invoiceAt: number;
  late: boolean;
  lines: LinePlan[];
}

export interface OutboxDocument {
  documentId: string;
  type: '997' | '855' | '856' | '810';
  poNumber: string;
  controlNumber: number;
  availableAt: number;
  x12: string;
}

/**
 * How a supplier answers one purchase order, drawn from a stream keyed by the supplier and PO
 * number so the answer does not depend on what else happened: SKUs outside its range are
 * rejected; sometimes it changes quantities or dates; it ships its fill rate, sometimes late.
 */
export function planOrder(
  index: EstateIndex,
  seed: string,
  supplier: Supplier,
  po: PurchaseOrder,
  receivedAt: number,
  dayMs: number,
): SupplierPlan {
  const rng = new Rng(`baton-supplier/${seed}/${supplier.id}/${po.poNumber}`);
  const changes = rng.chance(supplier.edi.ackWithChangesRate);
  const ackAt = receivedAt + Math.round((supplier.edi.ackDelayHours / 24) * dayMs);
  const promisedShip = receivedAt + supplier.leadTimeDays * dayMs;
  const late = rng.chance(supplier.edi.lateShipRate);
  const lateBy = late ? rng.int(supplier.edi.lateDays[0], supplier.edi.lateDays[1]) * dayMs : 0;
  const lines = po.lines.map((l): LinePlan => {
    const sku = index.skus.get(l.sku)!;
    const base = { line: l.line, sku: l.sku, ordered: l.qty, unitPrice: l.unitPrice };
    if (sku.supplierId !== supplier.id)
      return { ...base, status: 'IR', confirmed: 0, shipped: 0, reason: 'not in the supplier catalogue' };
    const roll = rng.next();
    let status: LinePlan['status'] = 'IA';
    let confirmed = l.qty;
    if (changes && roll < 0.45 && l.qty > 1) {
      status = 'IQ';
      confirmed = Math.max(1, Math.floor(l.qty * rng.float(0.5, 0.95)));
    } else if (changes && roll < 0.65) status = 'DR';
    else if (changes && roll < 0.75)
      return { ...base, status: 'IR', confirmed: 0, shipped: 0, reason: 'discontinued' };
    const shipped = rng.chance(supplier.fillRate) ? confirmed : Math.floor(confirmed * rng.float(0.5, 0.95));
    return { ...base, status, confirmed, shipped };
  });
  // an order "with changes" always carries at least one
  if (changes && lines.every((l) => l.status === 'IA') && lines[0]) lines[0].status = 'DR';
  const rescheduledShip = promisedShip + 2 * dayMs;
  const shipAt =
    Math.max(promisedShip, ...(lines.some((l) => l.status === 'DR') ? [rescheduledShip] : [])) + lateBy;
  return {
    ackAt,
    promisedShip,
    rescheduledShip,
    shipAt,
    invoiceAt: shipAt + Math.round(dayMs / 2),
    late,
    lines,
  };
}

interface Envelope {
  supplier: Supplier;
  controlNumber: number;
  at: number;
}

function envelope(e: Envelope, functionalId: string, transactionSet: string, segments: string[][]): string {
  return renderInterchange({
    sender: { qualifier: 'ZZ', id: e.supplier.edi.interchangeId },
    receiver: RETAILER_PARTY,
    version: e.supplier.edi.x12Version,
    controlNumber: e.controlNumber,
    functionalId,
    transactionSet,
    segments,
    at: new Date(e.at),
  });
}

const money = (n: number) => n.toFixed(2);
const partIds = (index: EstateIndex, sku: string) => ['BP', sku, 'EN', index.skus.get(sku)?.gtin ?? ''];

/** 997: the functional acknowledgement of a received 850 group. */
export function render997(e: Envelope, groupControl: string, setControl: string): string {
  return envelope(e, 'FA', '997', [
    ['AK1', 'PO', groupControl],
    ['AK2', '850', setControl],
    ['AK5', 'A'],
    ['AK9', 'A', '1', '1', '1'],
  ]);
}

/** 855: the purchase order acknowledgement, line by line. */
export function render855(index: EstateIndex, e: Envelope, po: PurchaseOrder, plan: SupplierPlan): string {
  const allRejected = plan.lines.every((l) => l.status === 'IR');
  const changed = plan.lines.some((l) => l.status !== 'IA');
  return envelope(e, 'PR', '855', [
    [
      'BAK',
      '00',
      allRejected ? 'RJ' : changed ? 'AC' : 'AD',
      po.poNumber,
      po.orderDate.replace(/-/g, ''),
      '',
      '',
      '',
      e.supplier.edi.interchangeId,
    ],
    ...plan.lines.flatMap((l) => [
      ['PO1', String(l.line), String(l.ordered), 'EA', money(l.unitPrice), '', ...partIds(index, l.sku)],
      [
        'ACK',
        l.status,
        String(l.confirmed),
        'EA',
        '068',
        x12Date(new Date(l.status === 'DR' ? plan.rescheduledShip : plan.promisedShip)),
      ],
      ...(l.reason ? [['MSG', l.reason]] : []),
    ]),
    ['CTT', String(plan.lines.length)],
  ]);
}

/** 856: the advance ship notice, shipment → order → one pack (SSCC) per line → item. */
export function render856(
  index: EstateIndex,
  e: Envelope,
  po: PurchaseOrder,
  plan: SupplierPlan,
  shipmentId: string,
): string {
  const shipped = plan.lines.filter((l) => l.shipped > 0);
  const at = new Date(plan.shipAt);
  const dc = index.dcs.get(po.shipTo) ?? index.stores.get(po.shipTo);
  const segments: string[][] = [
    ['BSN', '00', shipmentId, x12Date(at), '0800'],
    ['HL', '1', '', 'S'],
    ['TD1', 'CTN25', String(shipped.length)],
    ['TD5', '', '2', 'DHLC'],
    ['REF', 'BM', `BOL${shipmentId}`],
    ['DTM', '011', x12Date(at)],
    ['N1', 'ST', dc?.name ?? po.shipTo, 'UL', dc?.gln ?? ''],
    ['HL', '2', '1', 'O'],
    ['PRF', po.poNumber],
  ];
  let hl = 3;
  shipped.forEach((l, i) => {
    const pack = hl++;
    segments.push(
      ['HL', String(pack), '2', 'P'],
      ['MAN', 'GM', sscc18(e.supplier.companyPrefix, e.controlNumber * 100 + i)],
    );
    segments.push(
      ['HL', String(hl++), String(pack), 'I'],
      ['LIN', String(l.line), ...partIds(index, l.sku)],
      ['SN1', '', String(l.shipped), 'EA', '', String(l.ordered), 'EA'],
    );
  });
  segments.push(['CTT', String(hl - 1)]);
  return envelope(e, 'SH', '856', segments);
}

/** 810: the invoice for what was shipped, total in cents in TDS. */
export function render810(
  index: EstateIndex,
  e: Envelope,
  po: PurchaseOrder,
  plan: SupplierPlan,
  invoiceNumber: string,
): string {
  const billed = plan.lines.filter((l) => l.shipped > 0);
  const total = cents(billed.reduce((s, l) => s + l.shipped * l.unitPrice, 0));
  return envelope(e, 'IN', '810', [
    ['BIG', x12Date(new Date(plan.invoiceAt)), invoiceNumber, po.orderDate.replace(/-/g, ''), po.poNumber],
    ['N1', 'RE', e.supplier.name, 'UL', e.supplier.gln],
    ...billed.map((l) => [
      'IT1',
      String(l.line),
      String(l.shipped),
      'EA',
      money(l.unitPrice),
      '',
      ...partIds(index, l.sku),
    ]),
    ['TDS', String(Math.round(total * 100))],
    ['CTT', String(billed.length)],
  ]);
}
