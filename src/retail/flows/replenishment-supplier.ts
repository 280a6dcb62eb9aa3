/**
 * The supplier side of a purchase order: the 850 out through the suppliers connector, and the
 * supplier's 855, 856 and 810 read from its outbox and parsed into their contract events. Waiting
 * is a durable timer: the run reads the outbox, sleeps (holding no worker), and reads again until
 * the document is there or the deadline passed.
 */

import { type Connectors, parseEdi, suppliersConnector, wmsConnector } from '../../connectors/index.js';
import type { AsnReceived, InvoicePosted, PurchaseOrderAcknowledged } from '../../contracts/index.js';
import type { Duration } from '../../core/index.js';
import type { StepInfo, WorkflowContext } from '../../engine/index.js';
import type { MasterData } from './master-data.js';

type DocType = '855' | '856' | '810';
interface Parsed {
  '855': PurchaseOrderAcknowledged;
  '856': AsnReceived;
  '810': InvoicePosted;
}
const EVENT: Record<DocType, string> = {
  '855': 'purchase_order.acknowledged',
  '856': 'asn.received',
  '810': 'invoice.posted',
};

export function supplierSide(connectors: Connectors, md: MasterData) {
  const suppliers = connectors.client(suppliersConnector);
  const wms = connectors.client(wmsConnector);
  const readOptions = () => ({ currency: md.currency, locations: md.locationsByGln() });

  /** The supplier's document of this type for the PO, parsed; null while there is none. */
  async function read<T extends DocType>(supplierId: string, poNumber: string, type: T, info: StepInfo) {
    const box = await suppliers.call('fetchOutbox', { supplierId, type }, info);
    const doc = box.documents.find((d) => d.poNumber === poNumber);
    if (!doc) return null;
    const event = parseEdi(doc.x12, readOptions()).events.find((e) => e.type === EVENT[type]);
    if (!event) throw new Error(`document ${doc.documentId} carries no ${EVENT[type]}`);
    return { documentId: doc.documentId, data: event.data as Parsed[T] };
  }

  return {
    suppliers,
    wms,

    /** Polls the outbox every `every` until the document arrives or `until` (epoch ms) passed. */
    async awaitDocument<T extends DocType>(
      ctx: WorkflowContext,
      supplierId: string,
      poNumber: string,
      type: T,
      every: Duration,
      until: number,
    ) {
      for (;;) {
        const doc = await ctx.step(`read-outbox-${type}`, (info) => read(supplierId, poNumber, type, info), {
          retry: { maxAttempts: 5 },
        });
        if (doc || ctx.now().getTime() >= until) return doc;
        await ctx.sleep(every);
      }
    },
  };
}

export type SupplierSide = ReturnType<typeof supplierSide>;

/** Quantity and price of the invoice against what was received and ordered (three-way match). */
export function threeWayMatch(
  invoice: InvoicePosted,
  sku: string,
  received: number,
  unitPrice: number,
): 'matched' | 'price-variance' | 'quantity-variance' {
  const lines = invoice.lines.filter((l) => l.sku === undefined || l.sku === sku);
  const billed = lines.reduce((s, l) => s + l.quantity.value, 0);
  if (billed !== received) return 'quantity-variance';
  if (lines.some((l) => Math.abs(Number(l.unitPrice.amount) - unitPrice) > 0.005)) return 'price-variance';
  return 'matched';
}
