import type { RetryPolicy, WorkflowContext } from '../../engine/index.js';
import { cents, each } from './common.js';
import type { RetailPorts } from './ports.js';
import type { ReturnArrived, ReturnRequested } from './returns-events.js';
import type { ReturnAuthorisation } from './rules.js';

/** The catalogue's word for each condition a customer declares. */
const CONDITION = { unopened: 'new', opened: 'opened', damaged: 'damaged', defective: 'used' } as const;

/** Books the parcel in at the WMS: resaleable units into stock, the rest as damaged, each line with its disposition. */
export async function receiveReturn(
  ctx: WorkflowContext,
  ports: RetailPorts,
  retry: RetryPolicy,
  r: ReturnRequested,
  accepted: Array<ReturnRequested['lines'][number] & { verdict: ReturnAuthorisation }>,
  count: ReturnArrived,
) {
  const lines = accepted.map((l) => {
    const c = count.lines.find((x) => x.sku === l.sku);
    const qty = Math.min(l.quantity, c?.quantity ?? 0);
    const damaged = Math.min(qty, c?.damaged ?? 0);
    const resaleable = l.verdict.restock && l.condition !== 'damaged' ? qty - damaged : 0;
    const disposition = resaleable > 0 ? 'restock' : l.reason === 'defective' ? 'return-to-vendor' : 'scrap';
    return { ...l, qty, damaged, resaleable, disposition } as const;
  });
  const receipt = await ctx.step(
    'book-return-receipt',
    (call) =>
      ports.wms.receive(
        {
          location: r.returnLocationId,
          lines: lines.map((l) => ({
            sku: l.sku,
            expectedQty: l.quantity,
            receivedQty: l.qty,
            damagedQty: l.qty - l.resaleable,
          })),
        },
        call,
      ),
    { retry },
  );
  await ctx.emit(
    'return.received',
    {
      returnId: r.returnId,
      locationId: r.returnLocationId,
      receivedAt: ctx.now().toISOString(),
      inspectedBy: count.inspectedBy,
      wmsDocument: { system: 'wms', id: receipt.receiptId, documentType: 'customer-return' },
      lines: lines.map((l) => ({
        sku: l.sku,
        quantity: each(l.qty),
        condition: l.damaged > 0 ? 'damaged' : CONDITION[l.condition as keyof typeof CONDITION],
        disposition: l.disposition,
      })),
    },
    { subject: r.returnId },
  );
  return {
    receiptId: receipt.receiptId,
    refundable: cents(lines.reduce((s, l) => s + l.qty * l.unitPrice, 0)),
  };
}
