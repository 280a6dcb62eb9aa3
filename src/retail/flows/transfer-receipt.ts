import type { TransferArrived, TransferRequested } from '../../contracts/index.js';
import type { Duration } from '../../core/index.js';
import type { RetryPolicy, WorkflowContext } from '../../engine/index.js';
import { cents, each } from './common.js';
import type { Line, RetailPorts } from './ports.js';

type Resolution = 'book-at-source' | 'book-at-destination' | 'write-off';

/**
 * The receipt: waits for the goods-in count, books it in the WMS (undamaged units go into stock)
 * and publishes `transfer.received`. Units short or damaged go to store operations, who say where
 * the difference is: still at the source, found at the destination (a goods receipt there), or
 * lost (written off to inventory differences).
 */
export async function receiveTransfer(
  ctx: WorkflowContext,
  o: { ports: RetailPorts; retry: RetryPolicy },
  t: TransferRequested,
  s: { stoNumber: string; shipped: Line[]; unitValue: number; timeout: Duration },
) {
  const id = t.transferId;
  const arrived = await ctx.waitForEvent<TransferArrived>('transfer.arrived', {
    match: { transferId: id },
    timeout: s.timeout,
  });
  // nothing counted in time: the whole shipment is a difference to resolve
  const lines = s.shipped.map((l) => {
    const count = arrived?.data.lines.find((c) => c.sku === l.sku);
    const receivedQty = count?.quantityReceived ?? 0;
    return {
      sku: l.sku,
      expectedQty: l.qty,
      receivedQty,
      damagedQty: Math.min(receivedQty, count?.quantityDamaged ?? 0),
    };
  });
  const receipt = await ctx.step(
    'book-receipt',
    (call) => o.ports.wms.receive({ location: t.toLocationId, stoNumber: s.stoNumber, lines }, call),
    { retry: o.retry },
  );
  await ctx.emit(
    'transfer.received',
    {
      transferId: id,
      toLocationId: t.toLocationId,
      receivedAt: ctx.now().toISOString(),
      receivedBy: arrived?.data.receivedBy ?? 'not counted',
      erpDocument: { system: 'wms', id: receipt.receiptId, documentType: 'goods-receipt' },
      lines: lines.map((l) => ({
        sku: l.sku,
        quantityShipped: each(l.expectedQty),
        quantityReceived: each(l.receivedQty),
        ...(l.receivedQty < l.expectedQty
          ? { discrepancy: 'short' as const }
          : l.receivedQty > l.expectedQty
            ? { discrepancy: 'over' as const }
            : l.damagedQty > 0
              ? { discrepancy: 'damaged' as const }
              : {}),
      })),
    },
    { subject: id },
  );
  const shortfall = lines
    .map((l) => ({ sku: l.sku, qty: l.expectedQty - l.receivedQty + l.damagedQty }))
    .filter((l) => l.qty > 0);
  if (shortfall.length === 0) return { receipt: receipt.receiptId, shortfall };

  const summary = shortfall.map((l) => `${l.qty} × ${l.sku}`).join(', ');
  const decision = await ctx.task({
    kind: 'exception',
    title: `Short receipt of ${id} at ${t.toLocationId}: ${summary}`,
    role: 'store-operations',
    data: { transferId: id, stoNumber: s.stoNumber, receipt: receipt.receiptId, lines, shortfall },
    outcomes: ['book-at-source', 'book-at-destination', 'write-off'],
    dueIn: '1d',
    escalateTo: 'regional-manager',
  });
  const resolution = decision.outcome as Resolution;
  const document =
    resolution === 'write-off'
      ? await ctx.step(
          'write-off-difference',
          async (call) => {
            const amount = cents(shortfall.reduce((sum, l) => sum + l.qty, 0) * s.unitValue);
            const lines = [
              { account: '510000', debit: amount, text: `Transfer ${id} shortfall` },
              { account: '140000', credit: amount },
            ];
            return (await o.ports.erp.post({ reference: id, text: `Write-off ${summary}`, lines }, call))
              .documentNumber;
          },
          { retry: o.retry },
        )
      : await ctx.step(
          'book-difference',
          async (call) => {
            const location = resolution === 'book-at-source' ? t.fromLocationId : t.toLocationId;
            const reason = `difference of transfer ${id} (${resolution})`;
            const doc = await o.ports.erp.goodsMovement(
              { movementType: 'receipt', location, lines: shortfall, reference: id, reason },
              call,
            );
            return doc.materialDocument;
          },
          { retry: o.retry },
        );
  await ctx.emit(
    'transfer.variance_resolved',
    { transferId: id, resolution, by: decision.by, lines: shortfall, document, at: ctx.now().toISOString() },
    { subject: id },
  );
  return { receipt: receipt.receiptId, shortfall, resolution, document };
}
