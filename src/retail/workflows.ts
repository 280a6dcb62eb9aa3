import { Type } from '@sinclair/typebox';
import { ApplicationFailure } from '../core/index.js';
import { defineWorkflow } from '../engine/index.js';
import type { RetailSystems } from './systems.js';

export const OrderInput = Type.Object({
  orderId: Type.String({ minLength: 1 }),
  customerId: Type.String({ minLength: 1 }),
  channel: Type.Union([Type.Literal('pos'), Type.Literal('web'), Type.Literal('b2b')]),
  priority: Type.Optional(Type.Union([Type.Literal('standard'), Type.Literal('express')])),
  lines: Type.Array(
    Type.Object({
      sku: Type.String({ minLength: 1 }),
      qty: Type.Integer({ minimum: 1 }),
      unitPrice: Type.Number({ minimum: 0 }),
    }),
    { minItems: 1 },
  ),
});

export const ReturnInput = Type.Object({
  returnId: Type.String({ minLength: 1 }),
  orderId: Type.String({ minLength: 1 }),
  customerId: Type.String({ minLength: 1 }),
  sku: Type.String({ minLength: 1 }),
  amount: Type.Number({ minimum: 0 }),
  reason: Type.String(),
});

export const TransferInput = Type.Object({
  transferId: Type.String({ minLength: 1 }),
  sku: Type.String({ minLength: 1 }),
  qty: Type.Integer({ minimum: 1 }),
  from: Type.String({ minLength: 1 }),
  to: Type.String({ minLength: 1 }),
});

/** Limits the reference workflows apply until the rules engine owns them. */
export const referenceLimits = { autoRefundUpTo: 150, autoTransferUpTo: 50 };

/**
 * The reference workflows, bound to the systems they call. Each is a complete, readable example
 * of a retail handoff: ERP checks as steps, exception tasks with an owner and an SLA,
 * compensation when a later step fails, and an event for every state change.
 */
export function referenceWorkflows(sys: RetailSystems) {
  const orderRelease = defineWorkflow({
    name: 'order.release',
    version: 1,
    input: OrderInput,
    tags: (o) => ({ orderId: o.orderId, customerId: o.customerId, channel: o.channel }),
    concurrency: { key: (o) => `order:${o.orderId}` },
    async run(ctx, order) {
      const amount = order.lines.reduce((s, l) => s + l.qty * l.unitPrice, 0);
      const price = await ctx.step(
        'validate-price',
        ({ idempotencyKey }) => sys.erp.validatePrice(order, idempotencyKey),
        {
          retry: { maxAttempts: 5, initialInterval: '200ms' },
        },
      );
      if (!price.ok) {
        const fix = await ctx.task({
          kind: 'exception',
          title: `Price mismatch on ${order.orderId}`,
          role: 'pricing',
          data: { mismatches: price.mismatches },
          outcomes: ['accept-erp-price', 'cancel-order'],
          dueIn: '2h',
          escalateTo: 'pricing-lead',
        });
        if (fix.outcome === 'cancel-order') {
          await ctx.emit(
            'order.exception_raised',
            { orderId: order.orderId, reason: 'price-mismatch', resolution: 'cancelled' },
            { subject: order.orderId },
          );
          return { orderId: order.orderId, status: 'cancelled', reason: 'price mismatch' };
        }
      }
      const credit = await ctx.step('check-credit', ({ idempotencyKey }) =>
        sys.erp.checkCredit({ customerId: order.customerId, amount }, idempotencyKey),
      );
      if (!credit.approved) {
        const review = await ctx.task({
          kind: 'exception',
          title: `Credit block for ${order.customerId} on ${order.orderId}`,
          role: 'finance',
          data: { amount, limit: credit.limit },
          outcomes: ['release', 'reject'],
          dueIn: '4h',
          escalateTo: 'finance-lead',
        });
        if (review.outcome === 'reject') {
          await ctx.emit(
            'order.exception_raised',
            { orderId: order.orderId, reason: 'credit-block', resolution: 'rejected' },
            { subject: order.orderId },
          );
          return { orderId: order.orderId, status: 'rejected', reason: 'credit block' };
        }
      }
      const reservation = await ctx.step(
        'reserve-stock',
        ({ idempotencyKey }) => sys.oms.reserve(order, idempotencyKey),
        {
          compensate: (r, { idempotencyKey }) =>
            sys.oms.release({ reservationId: r.reservationId }, idempotencyKey),
        },
      );
      if (reservation.shortSkus.length > 0) {
        const choice = await ctx.task({
          kind: 'exception',
          title: `Short stock on ${order.orderId}: ${reservation.shortSkus.join(', ')}`,
          role: 'fulfilment',
          data: { shortSkus: reservation.shortSkus },
          outcomes: ['backorder', 'cancel-order'],
          dueIn: '1h',
        });
        if (choice.outcome === 'cancel-order') {
          throw ApplicationFailure.nonRetryable(
            `order ${order.orderId} cancelled for short stock`,
            'ShortStock',
          );
        }
      }
      const wave = await ctx.step('release-to-wms', ({ idempotencyKey }) =>
        sys.wms.releaseOrder(
          { orderId: order.orderId, priority: order.priority ?? 'standard' },
          idempotencyKey,
        ),
      );
      await ctx.emit(
        'order.confirmed',
        { orderId: order.orderId, reservationId: reservation.reservationId, waveId: wave.waveId },
        { subject: order.orderId },
      );
      await ctx.step('confirm-to-customer', ({ idempotencyKey }) =>
        sys.crm.notify(
          { customerId: order.customerId, message: `Order ${order.orderId} is confirmed` },
          idempotencyKey,
        ),
      );
      const shipped = await ctx.waitForEvent<{ orderId: string; trackingId: string }>('shipment.dispatched', {
        match: { orderId: order.orderId },
        timeout: '3d',
      });
      if (!shipped) {
        await ctx.task({
          kind: 'exception',
          title: `Order ${order.orderId} not dispatched within 3 days`,
          role: 'fulfilment',
          outcomes: ['chased'],
          dueIn: '4h',
        });
        return { orderId: order.orderId, status: 'late' };
      }
      const invoice = await ctx.step('post-to-finance', ({ idempotencyKey }) =>
        sys.erp.postInvoice({ orderId: order.orderId, amount }, idempotencyKey),
      );
      await ctx.emit(
        'invoice.posted',
        { orderId: order.orderId, documentId: invoice.documentId, amount },
        { subject: order.orderId },
      );
      return {
        orderId: order.orderId,
        status: 'fulfilled',
        trackingId: shipped.data.trackingId,
        invoice: invoice.documentId,
      };
    },
  });

  const returnRefund = defineWorkflow({
    name: 'return.refund',
    version: 1,
    input: ReturnInput,
    tags: (r) => ({ returnId: r.returnId, orderId: r.orderId, sku: r.sku }),
    async run(ctx, ret) {
      if (ret.amount > referenceLimits.autoRefundUpTo) {
        const auth = await ctx.task({
          kind: 'approval',
          title: `Authorise return ${ret.returnId} (${ret.amount.toFixed(2)})`,
          role: 'customer-service',
          data: { reason: ret.reason, amount: ret.amount },
          outcomes: ['authorise', 'decline'],
          dueIn: '1d',
          escalateTo: 'customer-service-lead',
        });
        if (auth.outcome === 'decline') {
          await ctx.step('tell-customer-declined', ({ idempotencyKey }) =>
            sys.crm.notify(
              { customerId: ret.customerId, message: `Return ${ret.returnId} was declined` },
              idempotencyKey,
            ),
          );
          return { returnId: ret.returnId, status: 'declined' };
        }
      }
      await ctx.emit(
        'return.authorized',
        { returnId: ret.returnId, orderId: ret.orderId, sku: ret.sku },
        { subject: ret.returnId },
      );
      const received = await ctx.waitForEvent('return.received', {
        match: { returnId: ret.returnId },
        timeout: '30d',
      });
      if (!received) return { returnId: ret.returnId, status: 'expired' };
      const inspection = await ctx.step('inspect-at-wms', ({ idempotencyKey }) =>
        sys.wms.inspectReturn({ returnId: ret.returnId, sku: ret.sku }, idempotencyKey),
      );
      const refund = await ctx.step('refund', ({ idempotencyKey }) =>
        sys.finance.refund({ returnId: ret.returnId, amount: ret.amount }, idempotencyKey),
      );
      await ctx.emit(
        'return.refunded',
        {
          returnId: ret.returnId,
          refundId: refund.refundId,
          amount: ret.amount,
          disposition: inspection.disposition,
        },
        { subject: ret.returnId },
      );
      return {
        returnId: ret.returnId,
        status: 'refunded',
        disposition: inspection.disposition,
        refundId: refund.refundId,
      };
    },
  });

  const storeTransfer = defineWorkflow({
    name: 'transfer.store',
    version: 1,
    input: TransferInput,
    tags: (t) => ({ transferId: t.transferId, sku: t.sku, storeId: t.to }),
    async run(ctx, t) {
      await ctx.emit('transfer.requested', t, { subject: t.transferId });
      if (t.qty > referenceLimits.autoTransferUpTo) {
        const approval = await ctx.task({
          kind: 'approval',
          title: `Approve transfer ${t.transferId}: ${t.qty} × ${t.sku} from ${t.from} to ${t.to}`,
          role: 'store-operations',
          data: t,
          outcomes: ['approve', 'reject'],
          dueIn: '4h',
          escalateTo: 'regional-manager',
        });
        if (approval.outcome === 'reject')
          return { transferId: t.transferId, status: 'rejected', by: approval.by };
      }
      await ctx.emit('transfer.approved', { transferId: t.transferId }, { subject: t.transferId });
      const check = await ctx.step('validate-in-erp', ({ idempotencyKey }) =>
        sys.erp.validateTransfer(t, idempotencyKey),
      );
      if (!check.ok)
        throw ApplicationFailure.nonRetryable(
          `ERP refused transfer ${t.transferId}: ${check.reason}`,
          'TransferRefused',
        );
      const pick = await ctx.step('pick-at-source', ({ idempotencyKey }) =>
        sys.wms.pickTransfer(t, idempotencyKey),
      );
      await ctx.emit(
        'transfer.shipped',
        { transferId: t.transferId, pickId: pick.pickId },
        { subject: t.transferId },
      );
      const receipt = await ctx.waitForEvent<{ transferId: string; receivedQty: number }>(
        'transfer.received',
        {
          match: { transferId: t.transferId },
          timeout: '5d',
        },
      );
      if (!receipt) return { transferId: t.transferId, status: 'lost-in-transit' };
      const variance = receipt.data.receivedQty - t.qty;
      return {
        transferId: t.transferId,
        status: variance === 0 ? 'received' : 'received-with-variance',
        variance,
      };
    },
  });

  return { orderRelease, returnRefund, storeTransfer };
}
