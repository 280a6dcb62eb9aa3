import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { ConflictError, NotFoundError, ValidationError, type ValidationIssue } from '../../core/index.js';
import type { SimContext } from '../context.js';
import type { EstateIndex } from '../estate.js';
import type { SystemRoutes } from '../http.js';
import type { Supplier } from '../model.js';
import { HttpRefusal } from '../problem.js';
import {
  type OutboxDocument,
  type PurchaseOrder,
  planOrder,
  RETAILER_PARTY,
  render810,
  render855,
  render856,
  render997,
  type SupplierPlan,
} from '../supplier-docs.js';
import { parse } from '../validate.js';
import { isoFromX12, parseInterchange } from '../x12.js';
import { closed, Id, IsoDate, Money, Qty, rejection, requireKnown } from './schemas.js';

const JsonOrder = closed({
  supplierId: Id,
  poNumber: Type.String({ minLength: 1, maxLength: 22 }),
  orderDate: Type.Optional(IsoDate),
  shipTo: Id,
  requestedDelivery: Type.Optional(IsoDate),
  lines: Type.Array(closed({ sku: Id, qty: Qty, unitPrice: Type.Optional(Money) }), {
    minItems: 1,
    maxItems: 1000,
  }),
});

const OutboxQuery = closed({
  since: Type.Optional(Type.String({ minLength: 1 })),
  type: Type.Optional(Type.Union(['997', '855', '856', '810'].map((t) => Type.Literal(t)))),
});

const X12_TYPES = ['application/edi-x12', 'application/edi', 'text/plain'];

/** Reads an 850 into a purchase order; the supplier is the interchange's receiver. */
function orderFrom850(index: EstateIndex, text: string, supplierHint?: string) {
  const ic = parseInterchange(text);
  const group = ic.groups.find((g) => g.sets.some((s) => s.id === '850'));
  const set = group?.sets.find((s) => s.id === '850');
  if (!group || !set)
    throw new ValidationError('the interchange holds no 850 purchase order', [
      { path: '/segments', message: 'no ST*850 transaction set' },
    ]);
  const supplier = supplierHint
    ? index.suppliers.get(supplierHint)
    : index.estate.suppliers.find((s) => s.edi.interchangeId === ic.receiver.id);
  if (!supplier)
    throw rejection('unknown-trading-partner', [
      { path: '/ISA08', message: `no supplier has interchange id ${supplierHint ?? ic.receiver.id}` },
    ]);
  const issues: ValidationIssue[] = [];
  const po: Partial<PurchaseOrder> & { lines: PurchaseOrder['lines'] } = {
    supplierId: supplier.id,
    lines: [],
  };
  set.segments.forEach((seg, i) => {
    const at = `/segments/${i + 1}`;
    const [id] = seg;
    if (id === 'BEG') {
      po.poNumber = seg[3] ?? '';
      if (/^\d{8}$/.test(seg[5] ?? '')) po.orderDate = isoFromX12(seg[5]!);
    } else if (id === 'DTM' && seg[1] === '002' && /^\d{8}$/.test(seg[2] ?? ''))
      po.requestedDelivery = isoFromX12(seg[2]!);
    else if (id === 'N1' && seg[1] === 'ST') {
      const code = seg[4] ?? '';
      const location =
        seg[3] === 'UL'
          ? [...index.dcs.values(), ...index.stores.values()].find((l) => l.gln === code)?.id
          : index.isLocation(code)
            ? code
            : undefined;
      if (location) po.shipTo = location;
      else issues.push({ path: `${at}/4`, message: `N1*ST names no known location: ${seg[3]} ${code}` });
    } else if (id === 'PO1') {
      let sku: string | undefined;
      for (let q = 6; q + 1 < seg.length; q += 2) {
        const value = seg[q + 1] ?? '';
        if (seg[q] === 'BP' && index.skus.has(value)) sku = value;
        else if ((seg[q] === 'EN' || seg[q] === 'UP') && !sku) sku = index.gtins.get(value)?.sku;
      }
      const qty = Number(seg[2]);
      const price = Number(seg[4]);
      if (!sku)
        issues.push({
          path: `${at}/7`,
          message: `PO1 ${seg[1]} has no buyer part number (BP) or GTIN (EN) of a known SKU`,
        });
      else if (!Number.isInteger(qty) || qty < 1)
        issues.push({
          path: `${at}/2`,
          message: `PO1 ${seg[1]} quantity "${seg[2]}" is not a positive whole number`,
        });
      else
        po.lines.push({
          line: Number(seg[1]) || po.lines.length + 1,
          sku,
          qty,
          unitPrice: Number.isFinite(price) ? price : index.skus.get(sku)!.cost,
        });
    }
  });
  if (!po.poNumber)
    issues.push({ path: '/segments', message: 'no BEG segment with a purchase order number (BEG03)' });
  if (!po.shipTo) issues.push({ path: '/segments', message: 'no N1*ST ship-to location' });
  if (po.lines.length === 0 && issues.length === 0)
    issues.push({ path: '/segments', message: 'no PO1 lines' });
  if (issues.length > 0) throw new ValidationError(`850: ${issues[0]!.path} ${issues[0]!.message}`, issues);
  return { po: po as PurchaseOrder, supplier, group: group.controlNumber, set: set.control };
}

interface Received {
  po: PurchaseOrder;
  plan: SupplierPlan;
  receivedAt: number;
  fingerprint: string;
  documents: OutboxDocument[];
}

/**
 * The suppliers, behind one EDI gateway: purchase orders in as X12 850 or JSON, and each
 * supplier's answers (997 at once for X12, then 855, 856 and 810 as the simulated days pass) in
 * its outbox, as X12 text.
 */
export function supplierRoutes(r: SystemRoutes, ctx: SimContext): void {
  const { index, state, clock } = ctx;
  const orders = new Map<string, Received>();
  const outbox = new Map<string, OutboxDocument[]>();
  const controls = new Map<string, number>();
  const nextControl = (s: Supplier) => {
    const n = (controls.get(s.id) ?? 0) + 1;
    controls.set(s.id, n);
    return n;
  };
  const supplierOf = (id: string) => {
    const s = index.suppliers.get(id);
    if (!s) throw new NotFoundError('supplier', id);
    return s;
  };

  const receive = (req: FastifyRequest) => {
    const type = String(req.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim();
    const now = clock.now();
    let po: PurchaseOrder;
    let supplier: Supplier;
    let ack: { group: string; set: string } | undefined;
    if (X12_TYPES.includes(type)) {
      if (typeof req.body !== 'string' || req.body.trim() === '')
        throw new ValidationError('the body is not an X12 document', [{ path: '', message: 'empty body' }]);
      const hint = (req.query as { supplier?: string }).supplier;
      const read = orderFrom850(index, req.body, hint);
      ({ po, supplier } = read);
      ack = { group: read.group, set: read.set };
    } else if (type === 'application/json' || type === '') {
      const body = parse(JsonOrder, req.body ?? {});
      requireKnown(index, [
        { path: '/shipTo', kind: 'location', id: body.shipTo },
        ...body.lines.map((l, i) => ({ path: `/lines/${i}/sku`, kind: 'sku' as const, id: l.sku })),
      ]);
      const known = index.suppliers.get(body.supplierId);
      if (!known)
        throw rejection('unknown-trading-partner', [
          { path: '/supplierId', message: `unknown supplier ${body.supplierId}` },
        ]);
      supplier = known;
      po = {
        supplierId: supplier.id,
        poNumber: body.poNumber,
        orderDate: body.orderDate ?? new Date(now).toISOString().slice(0, 10),
        shipTo: body.shipTo,
        ...(body.requestedDelivery ? { requestedDelivery: body.requestedDelivery } : {}),
        lines: body.lines.map((l, i) => ({
          line: i + 1,
          sku: l.sku,
          qty: l.qty,
          unitPrice: l.unitPrice ?? index.skus.get(l.sku)!.cost,
        })),
      };
    } else
      throw new HttpRefusal(
        415,
        `send the purchase order as application/json or application/edi-x12, not ${type}`,
        'unsupported-media-type',
      );
    po.orderDate ??= new Date(now).toISOString().slice(0, 10);
    const key = `${supplier.id}/${po.poNumber}`;
    const fingerprint = JSON.stringify(po);
    const earlier = orders.get(key);
    if (earlier)
      throw new ConflictError(
        earlier.fingerprint === fingerprint
          ? `purchase order ${po.poNumber} was already received by ${supplier.id}`
          : `purchase order number ${po.poNumber} is already used for a different order at ${supplier.id}`,
        { supplierId: supplier.id, poNumber: po.poNumber },
      );
    const plan = planOrder(index, ctx.seed, supplier, po, now, ctx.timing.dayMs);
    const docs: OutboxDocument[] = [];
    const add = (
      type: OutboxDocument['type'],
      availableAt: number,
      render: (e: { supplier: Supplier; controlNumber: number; at: number }) => string,
    ) => {
      const controlNumber = nextControl(supplier);
      docs.push({
        documentId: `${supplier.id}-${type}-${String(controlNumber).padStart(9, '0')}`,
        type,
        poNumber: po.poNumber,
        controlNumber,
        availableAt,
        x12: render({ supplier, controlNumber, at: availableAt }),
      });
    };
    if (ack) add('997', now, (e) => render997(e, ack.group, ack.set));
    add('855', plan.ackAt, (e) => render855(index, e, po, plan));
    if (plan.lines.some((l) => l.shipped > 0)) {
      const asn = state.numbers.nextId(`ASN-${supplier.id}`);
      add('856', plan.shipAt, (e) => render856(index, e, po, plan, asn.replace(/-/g, '')));
      const invoice = state.numbers.nextId(`INV-${supplier.id}`);
      add('810', plan.invoiceAt, (e) => render810(index, e, po, plan, invoice.replace(/-/g, '')));
    }
    orders.set(key, { po, plan, receivedAt: now, fingerprint, documents: docs });
    outbox.set(
      supplier.id,
      [...(outbox.get(supplier.id) ?? []), ...docs].sort(
        (a, b) => a.availableAt - b.availableAt || a.controlNumber - b.controlNumber,
      ),
    );
    return {
      status: 202,
      body: {
        supplierId: supplier.id,
        poNumber: po.poNumber,
        status: 'received',
        lines: po.lines.length,
        format: ack ? 'x12' : 'json',
        expected: {
          acknowledgementAt: new Date(plan.ackAt).toISOString(),
          promisedShipAt: new Date(plan.promisedShip).toISOString(),
        },
        outbox: `/suppliers/${supplier.id}/outbox`,
      },
    };
  };

  r.postRaw('/purchase-orders', receive);

  r.get('/purchase-orders/:poNumber', (req) => {
    const { poNumber } = req.params as { poNumber: string };
    const supplierId = (req.query as { supplier?: string }).supplier;
    const found = [...orders.values()].filter(
      (o) => o.po.poNumber === poNumber && (!supplierId || o.po.supplierId === supplierId),
    );
    if (found.length === 0) throw new NotFoundError('purchase order', poNumber);
    if (found.length > 1)
      throw new ConflictError(`purchase order ${poNumber} exists at several suppliers; add ?supplier=`);
    const o = found[0]!;
    const now = clock.now();
    const available = o.documents.filter((d) => d.availableAt <= now);
    const has = (t: string) => available.some((d) => d.type === t);
    return {
      ...o.po,
      status: has('810') ? 'invoiced' : has('856') ? 'shipped' : has('855') ? 'acknowledged' : 'received',
      receivedAt: new Date(o.receivedAt).toISOString(),
      documents: available.map((d) => ({ documentId: d.documentId, type: d.type })),
    };
  });

  r.get('/suppliers', () => ({
    suppliers: index.estate.suppliers.map((s) => ({
      id: s.id,
      name: s.name,
      interchangeId: s.edi.interchangeId,
      x12Version: s.edi.x12Version,
      leadTimeDays: s.leadTimeDays,
    })),
    retailer: RETAILER_PARTY,
  }));

  r.get('/suppliers/:id/outbox', (req) => {
    const supplier = supplierOf((req.params as { id: string }).id);
    const q = parse(OutboxQuery, req.query, 'query');
    const since = q.since === undefined ? undefined : Date.parse(q.since);
    if (since !== undefined && !Number.isFinite(since))
      throw new ValidationError(`query /since "${q.since}" is not an ISO 8601 time`, [
        { path: '/since', message: 'is not an ISO 8601 time' },
      ]);
    const now = clock.now();
    return {
      supplierId: supplier.id,
      documents: (outbox.get(supplier.id) ?? [])
        .filter(
          (d) =>
            d.availableAt <= now &&
            (since === undefined || d.availableAt > since) &&
            (q.type === undefined || d.type === q.type),
        )
        .map((d) => ({ ...d, availableAt: new Date(d.availableAt).toISOString() })),
    };
  });

  r.app.get('/suppliers/:id/outbox/:documentId', async (req, reply) => {
    const { id, documentId } = req.params as { id: string; documentId: string };
    const d = (outbox.get(supplierOf(id).id) ?? []).find(
      (x) => x.documentId === documentId && x.availableAt <= clock.now(),
    );
    if (!d) throw new NotFoundError('document', documentId);
    return reply.type('application/edi-x12').send(d.x12);
  });
}
