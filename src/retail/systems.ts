/**
 * The systems the reference workflows call. Each method is one request to one system; the
 * idempotency key comes from the step, so a retried request is applied once by the system.
 * The middleware layer will provide connector-backed implementations; `createDemoSystems` is an
 * in-process estate for the quick start and the tests.
 */
export interface OrderLine {
  sku: string;
  qty: number;
  unitPrice: number;
}

export interface RetailSystems {
  erp: {
    validatePrice(
      req: { orderId: string; lines: OrderLine[] },
      key: string,
    ): Promise<{ ok: boolean; mismatches: Array<{ sku: string; expected: number; got: number }> }>;
    checkCredit(
      req: { customerId: string; amount: number },
      key: string,
    ): Promise<{ approved: boolean; limit: number }>;
    postInvoice(req: { orderId: string; amount: number }, key: string): Promise<{ documentId: string }>;
    validateTransfer(
      req: { transferId: string; sku: string; qty: number; from: string; to: string },
      key: string,
    ): Promise<{ ok: boolean; reason?: string }>;
  };
  oms: {
    reserve(
      req: { orderId: string; lines: OrderLine[] },
      key: string,
    ): Promise<{ reservationId: string; shortSkus: string[] }>;
    release(req: { reservationId: string }, key: string): Promise<void>;
  };
  wms: {
    releaseOrder(
      req: { orderId: string; priority: 'standard' | 'express' },
      key: string,
    ): Promise<{ waveId: string }>;
    pickTransfer(
      req: { transferId: string; sku: string; qty: number; from: string },
      key: string,
    ): Promise<{ pickId: string }>;
    inspectReturn(
      req: { returnId: string; sku: string },
      key: string,
    ): Promise<{ disposition: 'restock' | 'refurbish' | 'scrap' }>;
  };
  crm: {
    notify(req: { customerId: string; message: string }, key: string): Promise<void>;
  };
  finance: {
    refund(req: { returnId: string; amount: number }, key: string): Promise<{ refundId: string }>;
  };
}
