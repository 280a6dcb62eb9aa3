import { Type } from '@sinclair/typebox';
import { defineHttpConnector, httpOperation } from '../http.js';
import { Count, closed, Id, Lines, LinesOut, seg, Text, Time } from './schemas.js';

/** 1 is the most urgent. */
const Priority = Type.Integer({ minimum: 1, maximum: 9 });

const PickTask = Type.Object({
  taskId: Id,
  orderId: Type.Optional(Id),
  stoNumber: Type.Optional(Id),
  location: Id,
  priority: Priority,
  status: Type.Union([Type.Literal('open'), Type.Literal('shipped')]),
  lines: LinesOut,
  createdAt: Time,
  /** 1 is next to be picked; absent once shipped. */
  queuePosition: Type.Optional(Type.Integer({ minimum: 1 })),
});

/**
 * The WMS: pick tasks in a priority queue per location, shipment confirmations that take the stock
 * out, receipts with their variances. Refusals: `insufficient-stock-to-pick`, `invalid-shipment`,
 * `invalid-receipt`, `invalid-destination`; 404 for an unknown task, 409 for one already shipped.
 */
export const wmsConnector = defineHttpConnector({
  system: 'wms',
  description: 'Warehouse management: pick tasks, priorities, shipment confirmations, receipts',
  operations: {
    createPickTask: httpOperation({
      method: 'POST',
      path: '/pick-tasks',
      description: 'Queues a pick for an order (orderId) or a transfer order (stoNumber)',
      input: closed({
        orderId: Type.Optional(Id),
        stoNumber: Type.Optional(Id),
        location: Id,
        lines: Lines,
        priority: Type.Optional(Priority),
      }),
      output: PickTask,
    }),
    listPickTasks: httpOperation({
      method: 'GET',
      path: '/pick-tasks',
      description: 'Pick tasks in queue order, by location and status',
      input: closed({
        location: Type.Optional(Id),
        status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('shipped')])),
      }),
      query: (i) => ({ location: i.location, status: i.status }),
      output: Type.Object({ tasks: Type.Array(PickTask) }),
    }),
    getPickTask: httpOperation({
      method: 'GET',
      path: (i) => `/pick-tasks/${seg(i.taskId)}`,
      input: closed({ taskId: Id }),
      output: PickTask,
    }),
    setPriority: httpOperation({
      method: 'PATCH',
      path: (i) => `/pick-tasks/${seg(i.taskId)}/priority`,
      description: 'Moves an open task up or down its queue',
      input: closed({ taskId: Id, priority: Priority, reason: Type.Optional(Text(200)) }),
      body: (i) => ({ priority: i.priority, ...(i.reason ? { reason: i.reason } : {}) }),
      output: PickTask,
    }),
    confirmShipment: httpOperation({
      method: 'POST',
      path: '/shipments/confirm',
      description: 'Ships a picked task (all picked units unless `lines` says otherwise)',
      input: closed({
        taskId: Id,
        carrier: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
        trackingNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
        lines: Type.Optional(Type.Array(closed({ sku: Id, qty: Count }), { minItems: 1 })),
      }),
      output: Type.Object({
        shipmentId: Id,
        taskId: Id,
        orderId: Type.Optional(Id),
        stoNumber: Type.Optional(Id),
        from: Id,
        carrier: Type.String(),
        trackingNumber: Type.String(),
        lines: LinesOut,
        shippedAt: Time,
      }),
    }),
    postReceipt: httpOperation({
      method: 'POST',
      path: '/receipts',
      description: 'Books goods in (good units only) and reports each line’s variance',
      input: closed({
        location: Id,
        poNumber: Type.Optional(Id),
        stoNumber: Type.Optional(Id),
        asnId: Type.Optional(Id),
        lines: Type.Array(
          closed({
            sku: Id,
            expectedQty: Count,
            receivedQty: Count,
            damagedQty: Type.Optional(Count),
          }),
          { minItems: 1, maxItems: 1000 },
        ),
      }),
      output: Type.Object({
        receiptId: Id,
        location: Id,
        status: Type.Union([Type.Literal('complete'), Type.Literal('variance')]),
        lines: Type.Array(
          Type.Object({
            sku: Id,
            expectedQty: Count,
            receivedQty: Count,
            damagedQty: Count,
            variance: Type.Integer(),
          }),
        ),
        totalVariance: Type.Integer(),
        receivedAt: Time,
      }),
    }),
  },
});
