/**
 * One purchase order's life: the 850 out, the 855 (accepted, changed, rejected), the 856 with an
 * escalation when it is late, the receipt at the WMS with its quantity check, and the 810 matched
 * against PO and receipt. Returns what the replenishment run should do next.
 */
import { ApplicationFailure, type Duration, toMs } from '../../core/index.js';
import type { WorkflowContext } from '../../engine/index.js';
import { isoDay } from './common.js';
import type { MasterData } from './master-data.js';
import type { ErpPort } from './ports.js';
import { type OrderFacts, purchaseOrder } from './replenishment-input.js';
import { type SupplierSide, threeWayMatch } from './replenishment-supplier.js';

export interface ProcureTiming {
  /** Between reads of the supplier's outbox. */
  pollEvery: Duration;
  /** How long after its promised date an ASN may come before the PO counts as late. */
  asnGrace: Duration;
}

export type Procured =
  | {
      outcome: 'received';
      poNumber: string;
      receiptId: string;
      received: number;
      remainder: number;
      invoice: string;
    }
  | { outcome: 'switch-supplier'; poNumber: string; why: 'rejected' | 'late'; supplierId?: string }
  | { outcome: 'cancelled'; poNumber: string };

const DAY = 86_400_000;

export async function procure(
  ctx: WorkflowContext,
  side: SupplierSide,
  erp: ErpPort,
  md: MasterData,
  facts: OrderFacts,
  t: ProcureTiming,
): Promise<Procured> {
  const po = purchaseOrder(md, facts);
  const { poNumber } = po;
  const sent = await ctx.step('send-850', (info) => side.suppliers.call('sendPurchaseOrder', po, info), {
    retry: { maxAttempts: 5 },
  });
  await ctx.emit('purchase_order.issued', po, { subject: poNumber });

  // 855: the supplier says when it will answer; read from then on, for a day
  const ackAt = Date.parse(sent.expected.acknowledgementAt);
  await ctx.sleepUntil(ackAt);
  const ack = await side.awaitDocument(ctx, facts.supplierId, poNumber, '855', t.pollEvery, ackAt + DAY);
  let confirmed = facts.qty;
  let promised = Date.parse(sent.expected.promisedShipAt);
  if (ack) {
    await ctx.emit('purchase_order.acknowledged', ack.data, { subject: poNumber });
    const line = ack.data.lines.find((l) => l.sku === facts.sku);
    if (ack.data.status === 'rejected' || !line || line.status === 'rejected' || line.quantity.value === 0) {
      const alternate = md.alternatesFor(facts.supplierId)[0];
      const answer = await ctx.task<{ supplierId?: string }>({
        kind: 'exception',
        title: `${facts.supplierId} rejected PO ${poNumber} (${facts.sku})`,
        role: 'procurement',
        data: {
          poNumber,
          sku: facts.sku,
          qty: facts.qty,
          supplierId: facts.supplierId,
          alternateSupplier: alternate?.id,
        },
        outcomes: ['alternate-supplier', 'cancel'],
        dueIn: '4h',
        escalateTo: 'procurement-lead',
      });
      if (answer.outcome === 'cancel') return { outcome: 'cancelled', poNumber };
      const supplierId = answer.values.supplierId ?? alternate?.id;
      return { outcome: 'switch-supplier', poNumber, why: 'rejected', ...(supplierId ? { supplierId } : {}) };
    }
    // accepted with changes: expect what the supplier confirmed, when it promised it
    confirmed = line.quantity.value;
    if (line.promisedDate) promised = Math.max(promised, Date.parse(`${line.promisedDate}T00:00:00Z`));
  }

  // 856: nothing to read before the promised ship date; late after the grace period
  await ctx.sleepUntil(promised);
  let deadline = promised + toMs(t.asnGrace);
  let asn = await side.awaitDocument(ctx, facts.supplierId, poNumber, '856', t.pollEvery, deadline);
  while (!asn) {
    await ctx.emit('shipment.delayed', {
      shipmentId: poNumber,
      relatesTo: { kind: 'purchase-order', id: poNumber },
      originalEta: new Date(promised).toISOString(),
      newEta: new Date(deadline + toMs(t.asnGrace)).toISOString(),
      reason: 'supplier-late',
      detectedAt: ctx.now().toISOString(),
      sourceDocument: { system: 'edi-x12', id: poNumber, documentType: 'purchase-order' },
    });
    const alternate = md.alternatesFor(facts.supplierId)[0];
    const answer = await ctx.task<{ supplierId?: string }>({
      kind: 'escalation',
      title: `No ASN for PO ${poNumber} from ${facts.supplierId}, due ${isoDay(new Date(promised))}`,
      role: 'procurement',
      data: {
        poNumber,
        sku: facts.sku,
        qty: confirmed,
        promisedShipAt: new Date(promised).toISOString(),
        alternateSupplier: alternate?.id,
      },
      outcomes: ['alternate-supplier', 'keep-waiting'],
      dueIn: '4h',
      escalateTo: 'procurement-lead',
    });
    if (answer.outcome === 'alternate-supplier') {
      const supplierId = answer.values.supplierId ?? alternate?.id;
      return { outcome: 'switch-supplier', poNumber, why: 'late', ...(supplierId ? { supplierId } : {}) };
    }
    deadline = ctx.now().getTime() + toMs(t.asnGrace);
    asn = await side.awaitDocument(ctx, facts.supplierId, poNumber, '856', t.pollEvery, deadline);
  }
  await ctx.emit('asn.received', asn.data, { subject: poNumber });
  const shipped = asn.data.packages
    .flatMap((p) => p.lines)
    .filter((l) => l.sku === facts.sku)
    .reduce((s, l) => s + l.quantity.value, 0);

  // receipt when the goods arrive; what the ASN announced is what the dock counts in
  await ctx.sleepUntil(Date.parse(asn.data.expectedDeliveryAt));
  const lines = [{ sku: facts.sku, expectedQty: confirmed, receivedQty: shipped }];
  const receipt = await ctx.step(
    'receive-at-wms',
    (info) =>
      side.wms.call(
        'postReceipt',
        { location: facts.locationId, poNumber, asnId: asn.data.asnNumber, lines },
        info,
      ),
    {
      // a delivery refused after booking goes back to the supplier: a goods issue in the ERP
      compensate: (r, info) =>
        erp.goodsMovement(
          {
            movementType: 'issue',
            location: facts.locationId,
            lines: [{ sku: facts.sku, qty: Math.max(1, shipped) }],
            reference: poNumber,
            reason: `return to vendor: receipt ${r.receiptId} refused`,
          },
          info,
        ),
    },
  );
  await ctx.emit(
    'goods.received',
    {
      poNumber,
      receiptId: receipt.receiptId,
      locationId: facts.locationId,
      status: receipt.status,
      lines: receipt.lines,
    },
    { subject: poNumber },
  );
  let remainder = 0;
  if (shipped < confirmed) {
    const answer = await ctx.task({
      kind: 'exception',
      title: `Short delivery on PO ${poNumber}: ${shipped} of ${confirmed} ${facts.sku}`,
      role: 'procurement',
      data: { poNumber, receiptId: receipt.receiptId, expected: confirmed, received: shipped },
      outcomes: ['accept-short', 'reorder-remainder', 'reject-delivery'],
      dueIn: '1d',
      escalateTo: 'procurement-lead',
    });
    if (answer.outcome === 'reject-delivery')
      throw ApplicationFailure.nonRetryable(
        `delivery for PO ${poNumber} refused: ${shipped} of ${confirmed}`,
        'procurement.delivery-refused',
      );
    if (answer.outcome === 'reorder-remainder') remainder = confirmed - shipped;
  }

  // 810: matched against what was received and the PO's price
  const invoice = await side.awaitDocument(
    ctx,
    facts.supplierId,
    poNumber,
    '810',
    t.pollEvery,
    ctx.now().getTime() + 2 * DAY,
  );
  let match = 'no-invoice';
  if (invoice) {
    match = threeWayMatch(invoice.data, facts.sku, shipped, Number(po.lines[0]!.unitPrice.amount));
    await ctx.emit('invoice.posted', { ...invoice.data, poNumber, match }, { subject: poNumber });
    if (match !== 'matched')
      await ctx.task({
        kind: 'exception',
        title: `Invoice ${invoice.data.invoiceNumber} for PO ${poNumber}: ${match}`,
        role: 'accounts-payable',
        data: { poNumber, invoiceNumber: invoice.data.invoiceNumber, match, received: shipped },
        outcomes: ['approve-payment', 'dispute'],
        dueIn: '2d',
        escalateTo: 'finance-lead',
      });
  }
  return {
    outcome: 'received',
    poNumber,
    receiptId: receipt.receiptId,
    received: shipped,
    remainder,
    invoice: match,
  };
}
