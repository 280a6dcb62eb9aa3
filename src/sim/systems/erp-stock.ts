import { Type } from '@sinclair/typebox';
import { ConflictError, NotFoundError, type ValidationIssue } from '../../core/index.js';
import type { SimContext } from '../context.js';
import type { SystemRoutes } from '../http.js';
import type { TransferOrder } from '../state.js';
import { parse } from '../validate.js';
import { closed, Id, Lines, rejection, requireKnown } from './schemas.js';

const StockQuery = closed({ location: Type.Optional(Id) });

const TransferRequest = closed({
  from: Id,
  to: Id,
  lines: Lines,
  reference: Type.Optional(Id),
});

const Movement = closed({
  movementType: Type.Union([Type.Literal('receipt'), Type.Literal('issue'), Type.Literal('transfer')]),
  location: Type.Optional(Id),
  from: Type.Optional(Id),
  to: Type.Optional(Id),
  lines: Lines,
  stoNumber: Type.Optional(Id),
  reference: Type.Optional(Id),
  reason: Type.Optional(Type.String({ maxLength: 200 })),
});

/** SAP movement types for the three kinds of goods movement. */
const MOVEMENT_CODES = { receipt: '101', issue: '201', transfer: '301' } as const;

/** Stock availability, stock transfer orders and goods movements of the ERP. */
export function stockRoutes(r: SystemRoutes, ctx: SimContext): void {
  const { index, state } = ctx;
  const view = (sku: string, location: string) => {
    const l = state.stock.level(sku, location);
    return { location, onHand: l.onHand, reserved: l.reserved, available: l.onHand - l.reserved };
  };

  r.get('/stock/:sku', (req) => {
    const { sku } = req.params as { sku: string };
    const q = parse(StockQuery, req.query, 'query');
    if (!index.skus.has(sku)) throw new NotFoundError('SKU', sku);
    if (q.location !== undefined) {
      if (!index.isLocation(q.location)) throw new NotFoundError('location', q.location);
      return { sku, ...view(sku, q.location) };
    }
    const locations = [
      ...index.estate.stores.map((s) => s.id),
      ...index.estate.distributionCentres.map((d) => d.id),
    ]
      .map((id) => view(sku, id))
      .filter((v) => v.onHand > 0 || v.reserved > 0);
    return { sku, available: locations.reduce((s, v) => s + v.available, 0), locations };
  });

  r.post('/stock-transfer-orders', TransferRequest, (body) => {
    requireKnown(index, [
      { path: '/from', kind: 'location', id: body.from },
      { path: '/to', kind: 'location', id: body.to },
      ...body.lines.map((l, i) => ({ path: `/lines/${i}/sku`, kind: 'sku' as const, id: l.sku })),
    ]);
    if (body.from === body.to)
      throw rejection('invalid-source', [
        { path: '/to', message: `source and destination are both ${body.from}` },
      ]);
    const short: ValidationIssue[] = [];
    const need = new Map<string, number>();
    body.lines.forEach((l, i) => {
      need.set(l.sku, (need.get(l.sku) ?? 0) + l.qty);
      const free = state.stock.available(l.sku, body.from);
      if ((need.get(l.sku) ?? 0) > free)
        short.push({
          path: `/lines/${i}/qty`,
          message: `${body.from} has ${free} of ${l.sku} available, ${need.get(l.sku)} requested`,
        });
    });
    if (short.length > 0) throw rejection('insufficient-stock-at-source', short, { from: body.from });
    for (const l of body.lines) state.stock.reserve(l.sku, body.from, l.qty);
    const sto: TransferOrder = {
      stoNumber: state.numbers.next('4500000000'),
      from: body.from,
      to: body.to,
      status: 'open',
      lines: body.lines.map((l) => ({ sku: l.sku, qty: l.qty, reserved: l.qty })),
      ...(body.reference ? { reference: body.reference } : {}),
      createdAt: state.nowIso(),
    };
    state.transfers.set(sto.stoNumber, sto);
    return { status: 201, body: sto };
  });

  r.get('/stock-transfer-orders/:number', (req) => {
    const { number } = req.params as { number: string };
    const sto = state.transfers.get(number);
    if (!sto) throw new NotFoundError('stock transfer order', number);
    return sto;
  });

  r.post('/goods-movements', Movement, (body) => {
    const where = (field: 'location' | 'from' | 'to') => {
      const v = body[field];
      if (v === undefined)
        throw rejection('incomplete-movement', [
          { path: `/${field}`, message: `is required for a ${body.movementType}` },
        ]);
      return v;
    };
    const source =
      body.movementType === 'receipt'
        ? undefined
        : body.movementType === 'transfer'
          ? where('from')
          : where('location');
    const target =
      body.movementType === 'issue'
        ? undefined
        : body.movementType === 'transfer'
          ? where('to')
          : where('location');
    requireKnown(index, [
      ...(source
        ? [
            {
              path: body.movementType === 'transfer' ? '/from' : '/location',
              kind: 'location' as const,
              id: source,
            },
          ]
        : []),
      ...(target
        ? [
            {
              path: body.movementType === 'transfer' ? '/to' : '/location',
              kind: 'location' as const,
              id: target,
            },
          ]
        : []),
      ...body.lines.map((l, i) => ({ path: `/lines/${i}/sku`, kind: 'sku' as const, id: l.sku })),
    ]);
    const sto = body.stoNumber === undefined ? undefined : state.transfers.get(body.stoNumber);
    if (body.stoNumber !== undefined && !sto) throw new NotFoundError('stock transfer order', body.stoNumber);
    if (sto) checkTransferStep(sto, body.movementType, source, target);
    // every line is checked before any is posted: a material document is all or nothing
    const short: ValidationIssue[] = [];
    const taken = new Map<string, number>();
    if (source)
      body.lines.forEach((l, i) => {
        const level = state.stock.level(l.sku, source);
        const promised = sto?.lines.find((s) => s.sku === l.sku)?.reserved ?? 0;
        const total = (taken.get(l.sku) ?? 0) + l.qty;
        taken.set(l.sku, total);
        const free = Math.min(level.onHand, level.onHand - level.reserved + promised);
        if (total > free)
          short.push({
            path: `/lines/${i}/qty`,
            message: `issuing ${total} of ${l.sku} at ${source} would make stock negative: ${Math.max(0, free)} can be issued`,
          });
      });
    if (short.length > 0) throw rejection('negative-stock', short, { location: source });
    for (const l of body.lines) {
      if (source) {
        const line = sto?.lines.find((s) => s.sku === l.sku);
        const fromReserved = Math.min(l.qty, line?.reserved ?? 0);
        state.stock.issue(l.sku, source, l.qty, fromReserved);
        if (line) line.reserved -= fromReserved;
      }
      if (target) state.stock.receive(l.sku, target, l.qty);
    }
    if (sto && body.movementType === 'issue')
      // a transfer order is issued once: what it still holds back at the source is released
      for (const line of sto.lines) {
        state.stock.unreserve(line.sku, sto.from, line.reserved);
        line.reserved = 0;
      }
    if (sto) sto.status = body.movementType === 'issue' ? 'issued' : 'received';
    const postedAt = state.nowIso();
    return {
      status: 201,
      body: {
        materialDocument: state.numbers.next('4900000000'),
        year: Number(postedAt.slice(0, 4)),
        movementType: body.movementType,
        movementCode: MOVEMENT_CODES[body.movementType],
        ...(source ? { from: source } : {}),
        ...(target ? { to: target } : {}),
        stoNumber: body.stoNumber,
        reference: body.reference,
        lines: body.lines.map((l) => ({
          sku: l.sku,
          qty: l.qty,
          ...(source ? { onHandAtSource: state.stock.level(l.sku, source).onHand } : {}),
          ...(target ? { onHandAtTarget: state.stock.level(l.sku, target).onHand } : {}),
        })),
        postedAt,
      },
    };
  });
}

/** A transfer order is issued at its source, then received at its destination, once each. */
function checkTransferStep(
  sto: TransferOrder,
  type: 'receipt' | 'issue' | 'transfer',
  source?: string,
  target?: string,
): void {
  if (type === 'transfer')
    throw rejection('invalid-movement', [
      {
        path: '/stoNumber',
        message: 'a transfer order moves by issue and receipt, not by a direct transfer',
      },
    ]);
  if (type === 'issue') {
    if (sto.status !== 'open')
      throw new ConflictError(`transfer order ${sto.stoNumber} was already issued`, { status: sto.status });
    if (source !== sto.from)
      throw rejection('invalid-source', [
        {
          path: '/location',
          message: `transfer order ${sto.stoNumber} ships from ${sto.from}, not ${source}`,
        },
      ]);
  } else {
    if (sto.status !== 'issued')
      throw new ConflictError(
        `transfer order ${sto.stoNumber} is ${sto.status}; only an issued transfer can be received`,
        { status: sto.status },
      );
    if (target !== sto.to)
      throw rejection('invalid-destination', [
        { path: '/location', message: `transfer order ${sto.stoNumber} goes to ${sto.to}, not ${target}` },
      ]);
  }
}
