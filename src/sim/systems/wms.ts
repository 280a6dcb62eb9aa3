import { Type } from '@sinclair/typebox';
import { ConflictError, NotFoundError, type ValidationIssue } from '../../core/index.js';
import type { SimContext } from '../context.js';
import type { SystemRoutes } from '../http.js';
import { parse } from '../validate.js';
import { closed, Id, Lines, rejection, requireKnown } from './schemas.js';

/** 1 is the most urgent; tasks of equal priority are picked first come, first served. */
const Priority = Type.Integer({ minimum: 1, maximum: 9 });

const PickRequest = closed({
  orderId: Type.Optional(Id),
  stoNumber: Type.Optional(Id),
  location: Id,
  lines: Lines,
  priority: Type.Optional(Priority),
});

const PriorityChange = closed({ priority: Priority, reason: Type.Optional(Type.String({ maxLength: 200 })) });

const ShipmentConfirmation = closed({
  taskId: Id,
  carrier: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  trackingNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
  /** Units actually shipped per SKU; all picked units when absent. */
  lines: Type.Optional(Type.Array(closed({ sku: Id, qty: Type.Integer({ minimum: 0 }) }), { minItems: 1 })),
});

const ReceiptRequest = closed({
  location: Id,
  poNumber: Type.Optional(Id),
  stoNumber: Type.Optional(Id),
  asnId: Type.Optional(Id),
  lines: Type.Array(
    closed({
      sku: Id,
      expectedQty: Type.Integer({ minimum: 0 }),
      receivedQty: Type.Integer({ minimum: 0 }),
      damagedQty: Type.Optional(Type.Integer({ minimum: 0 })),
    }),
    { minItems: 1, maxItems: 1000 },
  ),
});

const TaskQuery = closed({
  location: Type.Optional(Id),
  status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('shipped')])),
});

interface PickTask {
  taskId: string;
  orderId?: string;
  stoNumber?: string;
  location: string;
  priority: number;
  status: 'open' | 'shipped';
  lines: Array<{ sku: string; qty: number }>;
  createdAt: string;
  seq: number;
}

/**
 * The WMS: pick tasks in a priority queue per location, shipment confirmations that take the
 * stock out (consuming the order's reservation or the transfer order's), and receipts that put
 * stock in and report the variance against what was expected.
 */
export function wmsRoutes(r: SystemRoutes, ctx: SimContext): void {
  const { index, state } = ctx;
  const tasks = new Map<string, PickTask>();
  let seq = 0;

  const queue = (location: string) =>
    [...tasks.values()]
      .filter((t) => t.location === location && t.status === 'open')
      .sort((a, b) => a.priority - b.priority || a.seq - b.seq);
  const view = (t: PickTask) => {
    const { seq: _seq, ...rest } = t;
    const position = queue(t.location).indexOf(t);
    return { ...rest, ...(position >= 0 ? { queuePosition: position + 1 } : {}) };
  };
  const task = (id: string) => {
    const t = tasks.get(id);
    if (!t) throw new NotFoundError('pick task', id);
    return t;
  };

  r.post('/pick-tasks', PickRequest, (body) => {
    if (body.orderId === undefined && body.stoNumber === undefined)
      throw rejection('missing-reference', [
        { path: '/orderId', message: 'a pick task is for an order (orderId) or a transfer (stoNumber)' },
      ]);
    requireKnown(index, [
      { path: '/location', kind: 'location', id: body.location },
      ...body.lines.map((l, i) => ({ path: `/lines/${i}/sku`, kind: 'sku' as const, id: l.sku })),
    ]);
    const sto = body.stoNumber === undefined ? undefined : state.transfers.get(body.stoNumber);
    if (body.stoNumber !== undefined && !sto) throw new NotFoundError('stock transfer order', body.stoNumber);
    if (sto && sto.from !== body.location)
      throw rejection('invalid-source', [
        {
          path: '/location',
          message: `transfer order ${sto.stoNumber} ships from ${sto.from}, not ${body.location}`,
        },
      ]);
    if (sto && sto.status !== 'open')
      throw new ConflictError(`transfer order ${sto.stoNumber} was already issued`, { status: sto.status });
    const short: ValidationIssue[] = [];
    body.lines.forEach((l, i) => {
      const onHand = state.stock.level(l.sku, body.location).onHand;
      if (l.qty > onHand)
        short.push({
          path: `/lines/${i}/qty`,
          message: `${body.location} holds ${onHand} of ${l.sku}; cannot pick ${l.qty}`,
        });
    });
    if (short.length > 0) throw rejection('insufficient-stock-to-pick', short, { location: body.location });
    const t: PickTask = {
      taskId: state.numbers.nextId('PT'),
      ...(body.orderId ? { orderId: body.orderId } : {}),
      ...(body.stoNumber ? { stoNumber: body.stoNumber } : {}),
      location: body.location,
      priority: body.priority ?? 5,
      status: 'open',
      lines: body.lines.map((l) => ({ sku: l.sku, qty: l.qty })),
      createdAt: state.nowIso(),
      seq: seq++,
    };
    tasks.set(t.taskId, t);
    if (t.orderId) state.trackOrder(t.orderId, 'picking', 'wms').pickTasks.push(t.taskId);
    return { status: 201, body: view(t) };
  });

  r.get('/pick-tasks', (req) => {
    const q = parse(TaskQuery, req.query, 'query');
    const all = [...tasks.values()]
      .filter(
        (t) =>
          (q.location === undefined || t.location === q.location) &&
          (q.status === undefined || t.status === q.status),
      )
      .sort((a, b) => a.priority - b.priority || a.seq - b.seq);
    return { tasks: all.map(view) };
  });

  r.get('/pick-tasks/:id', (req) => view(task((req.params as { id: string }).id)));

  r.patch('/pick-tasks/:id/priority', PriorityChange, (body, req) => {
    const t = task((req.params as { id: string }).id);
    if (t.status !== 'open')
      throw new ConflictError(`pick task ${t.taskId} was already shipped; its priority can no longer change`);
    t.priority = body.priority;
    return { body: view(t) };
  });

  r.post('/shipments/confirm', ShipmentConfirmation, (body) => {
    const t = task(body.taskId);
    if (t.status !== 'open') throw new ConflictError(`pick task ${t.taskId} was already shipped`);
    const shipped = body.lines ?? t.lines;
    const reservations = t.orderId
      ? (state.orders.get(t.orderId)?.reservations ?? [])
          .map((id) => state.reservations.get(id)!)
          .filter((res) => res.status === 'active' && res.location === t.location)
      : [];
    const sto = t.stoNumber ? state.transfers.get(t.stoNumber) : undefined;
    const promisedOf = (sku: string) => [
      ...reservations.flatMap((res) => res.lines.filter((x) => x.sku === sku)),
      ...(sto && sto.status === 'open' && sto.from === t.location
        ? sto.lines.filter((x) => x.sku === sku)
        : []),
    ];
    // what leaves was promised to this order (or transfer) first, then comes from free stock; the
    // whole shipment is checked before any unit moves, so a refusal changes nothing
    const issues: ValidationIssue[] = [];
    const leaving = new Map<string, number>();
    shipped.forEach((l, i) => {
      const picked = t.lines.find((p) => p.sku === l.sku);
      const total = (leaving.get(l.sku) ?? 0) + l.qty;
      leaving.set(l.sku, total);
      const level = state.stock.level(l.sku, t.location);
      const promised = promisedOf(l.sku).reduce((sum, p) => sum + p.reserved, 0);
      const free = Math.min(level.onHand, level.onHand - level.reserved + promised);
      if (!picked)
        issues.push({ path: `/lines/${i}/sku`, message: `${l.sku} is not on pick task ${t.taskId}` });
      else if (l.qty > picked.qty)
        issues.push({ path: `/lines/${i}/qty`, message: `${l.qty} shipped but only ${picked.qty} picked` });
      else if (total > free)
        issues.push({
          path: `/lines/${i}/qty`,
          message: `${t.location} can ship only ${Math.max(0, free)} of ${l.sku} (${level.onHand} on hand, ${level.reserved - promised} promised elsewhere)`,
        });
    });
    if (issues.length > 0) throw rejection('invalid-shipment', issues);
    for (const l of shipped) {
      let fromReserved = 0;
      for (const p of promisedOf(l.sku)) {
        const take = Math.min(p.reserved, l.qty - fromReserved);
        p.reserved -= take;
        fromReserved += take;
      }
      state.stock.issue(l.sku, t.location, l.qty, fromReserved);
    }
    for (const res of reservations) if (res.lines.every((x) => x.reserved === 0)) res.status = 'consumed';
    if (sto && sto.status === 'open' && sto.from === t.location) {
      // a transfer order is issued once: what it still holds back is no longer needed
      for (const line of sto.lines) {
        state.stock.unreserve(line.sku, sto.from, line.reserved);
        line.reserved = 0;
      }
      sto.status = 'issued';
    }
    t.status = 'shipped';
    const shipmentId = state.numbers.nextId('SHP');
    if (t.orderId) state.trackOrder(t.orderId, 'shipped', 'wms').shipments.push(shipmentId);
    return {
      status: 201,
      body: {
        shipmentId,
        taskId: t.taskId,
        orderId: t.orderId,
        stoNumber: t.stoNumber,
        from: t.location,
        carrier: body.carrier ?? 'DHL',
        trackingNumber:
          body.trackingNumber ??
          `JJD${String(Number(shipmentId.slice(4)) + 1_000_000_000).padStart(14, '0')}`,
        lines: shipped.map((l) => ({ sku: l.sku, qty: l.qty })),
        shippedAt: state.nowIso(),
      },
    };
  });

  r.post('/receipts', ReceiptRequest, (body) => {
    requireKnown(index, [
      { path: '/location', kind: 'location', id: body.location },
      ...body.lines.map((l, i) => ({ path: `/lines/${i}/sku`, kind: 'sku' as const, id: l.sku })),
    ]);
    const issues: ValidationIssue[] = [];
    body.lines.forEach((l, i) => {
      if ((l.damagedQty ?? 0) > l.receivedQty)
        issues.push({
          path: `/lines/${i}/damagedQty`,
          message: `more damaged (${l.damagedQty}) than received (${l.receivedQty})`,
        });
    });
    if (issues.length > 0) throw rejection('invalid-receipt', issues);
    const sto = body.stoNumber === undefined ? undefined : state.transfers.get(body.stoNumber);
    if (body.stoNumber !== undefined) {
      if (!sto) throw new NotFoundError('stock transfer order', body.stoNumber);
      if (sto.to !== body.location)
        throw rejection('invalid-destination', [
          {
            path: '/location',
            message: `transfer order ${sto.stoNumber} goes to ${sto.to}, not ${body.location}`,
          },
        ]);
      if (sto.status !== 'issued')
        throw new ConflictError(
          `transfer order ${sto.stoNumber} is ${sto.status}; only an issued transfer can be received`,
          { status: sto.status },
        );
      sto.status = 'received';
    }
    const lines = body.lines.map((l) => {
      const damaged = l.damagedQty ?? 0;
      state.stock.receive(l.sku, body.location, l.receivedQty - damaged);
      return {
        sku: l.sku,
        expectedQty: l.expectedQty,
        receivedQty: l.receivedQty,
        damagedQty: damaged,
        variance: l.receivedQty - l.expectedQty,
      };
    });
    const withVariance = lines.some((l) => l.variance !== 0 || l.damagedQty > 0);
    return {
      status: 201,
      body: {
        receiptId: state.numbers.nextId('GR'),
        location: body.location,
        poNumber: body.poNumber,
        stoNumber: body.stoNumber,
        asnId: body.asnId,
        status: withVariance ? 'variance' : 'complete',
        lines,
        totalVariance: lines.reduce((s, l) => s + l.variance, 0),
        receivedAt: state.nowIso(),
      },
    };
  });
}
