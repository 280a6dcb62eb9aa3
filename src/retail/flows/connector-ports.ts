import {
  type Connectors,
  crmConnector,
  erpConnector,
  financeConnector,
  omsConnector,
  rejectionOf,
  wmsConnector,
} from '../../connectors/index.js';
import type { StepInfo } from '../../engine/index.js';
import type { PriceCheck, Reservation, RetailPorts } from './ports.js';

/**
 * The flows' port on the built-in connectors, so every request takes the connector path (retries,
 * breaker, limits, call records, dead-letter queue) with the step's idempotency key.
 *
 * Calls whose refusals are answers the flows branch on (a price mismatch, a credit limit, short
 * stock, no consent) pass `deadLetter: false`: such a refusal is a result, not a lost message.
 */
export function portsFromConnectors(connectors: Connectors): RetailPorts {
  const erp = connectors.client(erpConnector);
  const oms = connectors.client(omsConnector);
  const wms = connectors.client(wmsConnector);
  const crm = connectors.client(crmConnector);
  const finance = connectors.client(financeConnector);
  const answer = (call: StepInfo) => ({ ...call, deadLetter: false });

  return {
    erp: {
      async validatePrices(req, call): Promise<PriceCheck> {
        try {
          const ok = await erp.call('validateOrder', req, answer(call));
          return { ok: true, netAmount: ok.netAmount };
        } catch (err) {
          const r = rejectionOf(err);
          if (r?.reason !== 'price-mismatch') throw err;
          return { ok: false, mismatches: r.problem.mismatches as PriceCheckMismatches };
        }
      },
      async customer(customerId, call) {
        const c = await erp.call('getCustomer', { customerId }, call);
        const kind = (c as { kind?: unknown }).kind;
        return {
          customerId: c.id,
          kind: typeof kind === 'string' ? kind : 'consumer',
          creditLimit: c.creditLimit,
          exposure: c.exposure,
        };
      },
      async checkCredit(req, call) {
        try {
          const ok = await erp.call('checkCredit', req, answer(call));
          return { approved: ok.approved, available: ok.available ?? 0 };
        } catch (err) {
          const r = rejectionOf(err);
          if (r?.reason !== 'credit-limit-exceeded') throw err;
          return { approved: false, available: Number(r.problem.available ?? 0), reason: r.reason };
        }
      },
      async stock(sku, call) {
        const s = await erp.call('getStock', { sku }, call);
        return s.locations.map((l) => ({ location: l.location, available: l.available }));
      },
      async price(sku, call) {
        return (await erp.call('getPrice', { sku, channel: 'store' }, call)).price;
      },
      async createTransferOrder(req, call) {
        const sto = await erp.call('createTransferOrder', req, call);
        return { stoNumber: sto.stoNumber };
      },
      async goodsMovement(req, call) {
        const doc = await erp.call('postGoodsMovement', req, call);
        return { materialDocument: doc.materialDocument };
      },
      async post(req, call) {
        const doc = await erp.call('postJournal', req, call);
        return { documentNumber: doc.documentNumber };
      },
    },
    oms: {
      async reserve(req, call): Promise<Reservation> {
        try {
          const r = await oms.call('reserve', req, answer(call));
          return { reservationId: r.reservationId, location: r.location, lines: r.lines };
        } catch (err) {
          // nothing could be reserved: the OMS names what each line could have had
          const r = rejectionOf(err);
          if (r?.reason !== 'insufficient-stock' || !Array.isArray(r.problem.lines)) throw err;
          return { location: req.location, lines: r.problem.lines as Reservation['lines'] };
        }
      },
      async release(reservationId, reason, call) {
        try {
          await oms.call('release', { reservationId, reason }, answer(call));
        } catch (err) {
          // 409: already released or consumed, which is what a release wants
          if (rejectionOf(err)?.status !== 409) throw err;
        }
      },
    },
    wms: {
      async pick(req, call) {
        const t = await wms.call('createPickTask', req, call);
        return { taskId: t.taskId, ...(t.queuePosition ? { queuePosition: t.queuePosition } : {}) };
      },
      async ship(taskId, call) {
        const s = await wms.call('confirmShipment', { taskId }, call);
        const lines = s.lines.map((l) => ({ sku: l.sku, qty: l.qty }));
        return {
          shipmentId: s.shipmentId,
          carrier: s.carrier,
          trackingNumber: s.trackingNumber,
          lines,
          shippedAt: s.shippedAt,
        };
      },
      async receive(req, call) {
        const r = await wms.call('postReceipt', req, call);
        return { receiptId: r.receiptId, status: r.status, lines: r.lines };
      },
    },
    crm: {
      async notify(req, call) {
        try {
          const n = await crm.call('notify', { ...req, channel: 'email' }, answer(call));
          return { sent: true, notificationId: n.notificationId };
        } catch (err) {
          const r = rejectionOf(err);
          if (r?.status !== 422) throw err;
          return { sent: false, reason: r.reason };
        }
      },
    },
    finance: {
      async refund(req, call) {
        try {
          return { refundId: (await finance.call('refund', req, call)).refundId };
        } catch (err) {
          // 409: this return was refunded already (by an earlier request under another key)
          const r = rejectionOf(err);
          if (r?.status === 409 && typeof r.problem.refundId === 'string')
            return { refundId: r.problem.refundId };
          throw err;
        }
      },
      async reconcile(req, call) {
        const r = await finance.call('reconcile', req, call);
        return { reconciliationId: r.reconciliationId, status: r.status, differences: r.differences };
      },
    },
  };
}

type PriceCheckMismatches = Extract<PriceCheck, { ok: false }>['mismatches'];
