/**
 * The 855 purchase order acknowledgement, read into `purchase_order.acknowledged`.
 *
 * BAK02 gives the order's status; each PO1 (the line as the supplier confirms it) is followed by
 * ACK segments with the line status, the confirmed quantity and the promised date (ACK04/ACK05).
 * A line acknowledged in parts (several ACKs) becomes one event line per ACK. The time of the
 * acknowledgement is the group's creation time (GS04/GS05).
 */
import type { PurchaseOrderAcknowledged } from '../../contracts/index.js';
import {
  amount,
  bad,
  currency,
  date,
  envelopeOf,
  from,
  groupTime,
  itemIds,
  missing,
  partyLoops,
  quantity,
  type ReadContext,
  supplierIdOf,
  unit,
} from './read.js';
import type { Segment } from './syntax.js';

type Status = PurchaseOrderAcknowledged['status'];
type LineStatus = PurchaseOrderAcknowledged['lines'][number]['status'];

/** BAK02 acknowledgement types. */
const ORDER_STATUS: Record<string, Status> = {
  AT: 'accepted',
  AD: 'accepted',
  AK: 'accepted',
  AP: 'accepted',
  AC: 'accepted-with-changes',
  AE: 'accepted-with-changes',
  RJ: 'rejected',
  RD: 'rejected',
};

/** ACK01 line item status codes. */
export const LINE_STATUS: Record<string, LineStatus> = {
  IA: 'accepted',
  AR: 'accepted',
  IB: 'backordered',
  BP: 'backordered',
  IC: 'changed',
  IQ: 'changed',
  IP: 'changed',
  IS: 'changed',
  DR: 'rescheduled',
  IR: 'rejected',
  ID: 'rejected',
  R2: 'rejected',
};

/** ACK04 / DTM01 qualifiers that carry a promised ship or delivery date. */
const PROMISE_QUALIFIERS = ['068', '067', '017', '002', '010', '069'];

export function read855(ctx: ReadContext): PurchaseOrderAcknowledged | undefined {
  const body = ctx.set.body;
  const bak = body.find((s) => s.id === 'BAK');
  if (!bak) return missing(ctx, 'BAK', 'the beginning segment with the PO number is required');
  from(ctx, '/poNumber', bak);
  const status = ORDER_STATUS[bak.e[2] ?? ''];
  if (!status)
    bad(
      ctx,
      bak,
      2,
      '7',
      `"${bak.e[2] ?? ''}" is not an acknowledgement type (${Object.keys(ORDER_STATUS).join(', ')})`,
    );
  const cur = currency(
    ctx,
    body.find((s) => s.id === 'CUR'),
  );
  const parties = partyLoops(body);
  const acknowledgedAt = groupTime(ctx);

  const lines: PurchaseOrderAcknowledged['lines'] = [];
  const po1s = body.map((s, i) => [s, i] as const).filter(([s]) => s.id === 'PO1');
  for (const [k, [po1, i]] of po1s.entries()) {
    const end = po1s[k + 1]?.[1] ?? body.length;
    const loop = body.slice(i + 1, end);
    const ids = itemIds(po1, 6);
    if (!ids.sku) bad(ctx, po1, 7, '1', 'the buyer’s part number (BP) is required: it is the SKU');
    const ordered = quantity(ctx, po1, 2);
    const orderedUom = unit(ctx, po1, 3);
    const price = po1.e[4] ? amount(ctx, po1, 4) : undefined;
    const dtm = loop.find((s) => s.id === 'DTM' && PROMISE_QUALIFIERS.includes(s.e[1] ?? ''));
    const acks = loop.filter((s) => s.id === 'ACK');
    const line = (ack: Segment | undefined) => {
      const code = ack?.e[1] ?? (status === 'rejected' ? 'IR' : 'IA');
      const lineStatus = LINE_STATUS[code];
      if (ack && !lineStatus)
        return bad(
          ctx,
          ack,
          1,
          '7',
          `"${code}" is not a line status (${Object.keys(LINE_STATUS).join(', ')})`,
        );
      const value = ack?.e[2] ? quantity(ctx, ack, 2) : ordered;
      const uom = ack?.e[3] ? unit(ctx, ack, 3) : orderedUom;
      const promised =
        ack && PROMISE_QUALIFIERS.includes(ack.e[4] ?? '') && ack.e[5]
          ? date(ctx, ack, 5)
          : dtm
            ? date(ctx, dtm, 2)
            : undefined;
      if (!lineStatus || value === undefined || uom === undefined || !ids.sku) return;
      from(ctx, `/lines/${lines.length}`, ack ?? po1);
      lines.push({
        lineNumber: po1.e[1] ?? '',
        sku: ids.sku,
        ...(ids.gtin ? { gtin: ids.gtin } : {}),
        status: lineStatus,
        quantity: { value, uom },
        ...(price !== undefined && cur ? { unitPrice: { amount: price, currency: cur } } : {}),
        ...(promised ? { promisedDate: promised } : {}),
      });
    };
    if (acks.length === 0) line(undefined);
    for (const ack of acks) line(ack);
  }
  if (po1s.length === 0) missing(ctx, 'PO1', 'an acknowledgement has at least one line (PO1 with ACK)');
  if (ctx.problems.length > 0 || !status || !acknowledgedAt) return undefined;
  const supplierOrderNumber = bak.e[8];
  return {
    poNumber: bak.e[3] ?? '',
    supplierId: supplierIdOf(ctx, parties.get('SU') ?? parties.get('SE') ?? parties.get('VN')),
    ...(supplierOrderNumber ? { supplierOrderNumber } : {}),
    acknowledgedAt,
    status,
    lines,
    x12: envelopeOf(ctx, '855'),
  };
}
