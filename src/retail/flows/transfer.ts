import type { Bus } from '../../bus/index.js';
import type { TransferRequested } from '../../contracts/index.js';
import type { Duration } from '../../core/index.js';
import { defineWorkflow, type RetryPolicy } from '../../engine/index.js';
import { addDays, cents, contractInput, type ErpSystem, each, hoursBetween, SYSTEM_RETRY } from './common.js';
import type { LocationDirectory } from './locations.js';
import type { Line, RetailPorts } from './ports.js';
import type { FlowRules, TransferApproval } from './rules.js';
import { receiveTransfer } from './transfer-receipt.js';

export interface TransferFlowOptions {
  ports: RetailPorts;
  rules: FlowRules;
  locations: LocationDirectory;
  retry?: RetryPolicy;
  /** How long the flow waits for the receiving location's goods-in count (`transfer.arrived`). */
  arrivalTimeout?: Duration;
  erpSystem?: ErpSystem;
}

/** The WMS priority (1 most urgent) of each class the warehouse-priority table gives. */
const WMS_PRIORITY: Record<string, number> = { P1: 1, P2: 3, P3: 5, P4: 7 };

/**
 * Inventory transfer, started by `transfer.requested` (a store, a replenishment rule or a
 * recommendation): approved by the transfer policy or by store operations, checked against the
 * source's stock and created as a stock transfer order in the ERP, picked and dispatched by the WMS,
 * then received at the destination with any shortfall resolved by store operations. The journal and
 * the events (`transfer.approved`, `.shipped`, `.received`, …) are its audit trail.
 */
export function transferFlow(o: TransferFlowOptions) {
  const retry = o.retry ?? SYSTEM_RETRY;
  const { erp, wms } = o.ports;
  return defineWorkflow({
    name: 'transfer.stock',
    version: 1,
    input: contractInput<TransferRequested>('transfer.requested'),
    tags: (t) => ({ transferId: t.transferId, storeId: t.toLocationId, from: t.fromLocationId }),
    concurrency: { key: (t) => `transfer:${t.transferId}` },
    async run(ctx, t) {
      const id = t.transferId;
      const wanted: Line[] = t.lines.map((l) => ({ sku: l.sku, qty: l.quantity.value }));
      const value =
        t.estimatedValue !== undefined
          ? Number(t.estimatedValue.amount)
          : await ctx.step(
              'value-transfer',
              async (call) => {
                const prices = await Promise.all(wanted.map((l) => erp.price(l.sku, call)));
                return cents(wanted.reduce((s, l, i) => s + l.qty * prices[i]!, 0));
              },
              { retry },
            );
      const facts = {
        value,
        qty: wanted.reduce((s, l) => s + l.qty, 0),
        // an unknown distance is treated as far, so the transfer goes to a person
        distanceKm: o.locations.distanceKm(t.fromLocationId, t.toLocationId) ?? 9999,
        sameRegion: o.locations.sameRegion(t.fromLocationId, t.toLocationId),
      };
      const policy = await o.rules.decision<TransferApproval>(
        ctx,
        'transfer-approval',
        o.locations.region(t.toLocationId),
      );
      const decided = await ctx.decide(policy, { transfer: facts });
      let approvedBy = 'rule:transfer-approval';
      if (decided.approval !== 'auto-approve') {
        const review = await ctx.task({
          kind: 'approval',
          title: `Approve transfer ${id}: ${facts.qty} units (${value}) from ${t.fromLocationId} to ${t.toLocationId}, ${decided.reason}`,
          role: 'store-operations',
          data: { transferId: id, ...facts, reason: t.reason, lines: wanted, policy: decided.reason },
          outcomes: ['approve', 'reject'],
          dueIn: decided.dueIn ?? '8h',
          escalateTo: 'regional-manager',
        });
        if (review.outcome === 'reject') return reject(review.by);
        approvedBy = review.by;
      }

      // the ERP's view of the source: ship what it has, refuse when it has nothing
      const lines = await ctx.step(
        'check-stock-at-source',
        async (call) => {
          const stock = await Promise.all(wanted.map((l) => erp.stock(l.sku, call)));
          return wanted
            .map((l, i) => ({
              sku: l.sku,
              qty: Math.min(l.qty, stock[i]!.find((s) => s.location === t.fromLocationId)?.available ?? 0),
            }))
            .filter((l) => l.qty > 0);
        },
        { retry },
      );
      if (lines.length === 0) return reject('erp:no-stock-at-source');
      const sto = await ctx.step(
        'create-transfer-order',
        (call) =>
          erp.createTransferOrder({ from: t.fromLocationId, to: t.toLocationId, lines, reference: id }, call),
        { retry },
      );
      const partial =
        lines.some((l) => l.qty < wanted.find((w) => w.sku === l.sku)!.qty) || lines.length < wanted.length;
      await ctx.emit(
        'transfer.approved',
        {
          transferId: id,
          decision: partial ? 'approved-partially' : 'approved',
          approvedBy,
          approvedAt: ctx.now().toISOString(),
          erpDocument: {
            system: o.erpSystem ?? 'sap-s4',
            id: sto.stoNumber,
            documentType: 'stock-transport-order',
          },
          lines: lines.map((l) => ({ sku: l.sku, quantity: each(l.qty) })),
          ...(partial ? { note: 'reduced to the stock available at the source' } : {}),
        },
        { subject: id },
      );

      const urgency = await ctx.decide(await o.rules.decision<string>(ctx, 'wms-task-priority'), {
        work: {
          type: 'store-replenishment',
          hoursToCutoff: Math.max(
            0,
            Math.round(hoursBetween(ctx.now(), new Date(`${t.neededBy}T00:00:00Z`))),
          ),
          stockoutRisk: t.reason === 'stockout-risk',
        },
      });
      const pick = await ctx.step(
        'pick-at-source',
        (call) =>
          wms.pick(
            {
              stoNumber: sto.stoNumber,
              location: t.fromLocationId,
              lines,
              priority: WMS_PRIORITY[urgency] ?? 5,
            },
            call,
          ),
        { retry },
      );
      // the estate's WMS picks at once; with one that reports picks later, wait for its message here
      const shipment = await ctx.step('dispatch', (call) => wms.ship(pick.taskId, call), { retry });
      const days = Math.max(1, Math.ceil(facts.distanceKm / 600));
      await ctx.emit(
        'transfer.shipped',
        {
          transferId: id,
          fromLocationId: t.fromLocationId,
          toLocationId: t.toLocationId,
          shippedAt: shipment.shippedAt,
          expectedArrivalAt: addDays(new Date(shipment.shippedAt), days).toISOString(),
          wmsDocument: { system: 'wms', id: shipment.shipmentId, documentType: 'outbound-delivery' },
          carrier: { name: shipment.carrier, trackingNumber: shipment.trackingNumber },
          lines: shipment.lines.map((l) => ({ sku: l.sku, quantity: each(l.qty) })),
        },
        { subject: id },
      );
      const receipt = await receiveTransfer(ctx, { ...o, retry }, t, {
        stoNumber: sto.stoNumber,
        shipped: shipment.lines,
        unitValue: facts.qty > 0 ? value / facts.qty : 0,
        timeout: o.arrivalTimeout ?? '5d',
      });
      return {
        transferId: id,
        status: receipt.shortfall.length > 0 ? 'received-with-variance' : 'received',
        approvedBy,
        stoNumber: sto.stoNumber,
        pickTask: pick.taskId,
        shipment: shipment.shipmentId,
        ...receipt,
      };

      async function reject(by: string) {
        await ctx.emit(
          'transfer.rejected',
          { transferId: id, by, at: ctx.now().toISOString() },
          { subject: id },
        );
        return { transferId: id, status: 'rejected', by };
      }
    },
  });
}

/** Starts the flow once per transfer id, however often its request is delivered. */
export function triggerTransfer(bus: Bus, flow: ReturnType<typeof transferFlow>): Bus {
  return bus.trigger('transfer.requested', flow, {
    input: (e) => e.data as TransferRequested,
    key: (e) => (e.data as TransferRequested).transferId,
  });
}
