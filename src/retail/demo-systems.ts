import type { RetailSystems } from './systems.js';

/** Records what each system was asked, once per idempotency key, like a system that dedupes. */
export class EffectLog {
  readonly applied = new Map<string, { system: string; op: string }>();
  duplicates = 0;
  apply(system: string, op: string, key: string): boolean {
    if (this.applied.has(key)) {
      this.duplicates++;
      return false;
    }
    this.applied.set(key, { system, op });
    return true;
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * An in-process retail estate for the quick start: answers like real systems, with latency and
 * the usual trouble (a price list out of date, a credit limit, short stock) on some documents.
 * `trouble` decides which documents misbehave; by default a deterministic pick from the id.
 */
export function createDemoSystems(
  options: { latencyMs?: number; log?: EffectLog } = {},
): RetailSystems & { log: EffectLog } {
  const log = options.log ?? new EffectLog();
  const latency = options.latencyMs ?? 5;
  const call = async <T>(system: string, op: string, key: string, answer: () => T): Promise<T> => {
    await pause(latency);
    log.apply(system, op, key);
    return answer();
  };
  const digit = (id: string) => Number(id.replace(/\D/g, '').slice(-1) || 0);
  return {
    log,
    erp: {
      validatePrice: (req, key) =>
        call('erp', 'validatePrice', key, () => {
          const wrong = digit(req.orderId) === 7 ? req.lines.slice(0, 1) : [];
          return {
            ok: wrong.length === 0,
            mismatches: wrong.map((l) => ({ sku: l.sku, expected: l.unitPrice + 1, got: l.unitPrice })),
          };
        }),
      checkCredit: (req, key) =>
        call('erp', 'checkCredit', key, () => ({ approved: req.amount <= 5000, limit: 5000 })),
      postInvoice: (req, key) =>
        call('erp', 'postInvoice', key, () => ({ documentId: `INV-${req.orderId}` })),
      validateTransfer: (req, key) =>
        call('erp', 'validateTransfer', key, () =>
          req.from === req.to ? { ok: false, reason: 'source and target are the same store' } : { ok: true },
        ),
    },
    oms: {
      reserve: (req, key) =>
        call('oms', 'reserve', key, () => ({
          reservationId: `RES-${req.orderId}`,
          shortSkus: digit(req.orderId) === 3 ? [req.lines[0]!.sku] : [],
        })),
      release: (_req, key) => call('oms', 'release', key, () => undefined),
    },
    wms: {
      releaseOrder: (req, key) =>
        call('wms', 'releaseOrder', key, () => ({ waveId: `WAVE-${req.priority}-${req.orderId}` })),
      pickTransfer: (req, key) =>
        call('wms', 'pickTransfer', key, () => ({ pickId: `PICK-${req.transferId}` })),
      inspectReturn: (req, key) =>
        call('wms', 'inspectReturn', key, () => ({
          disposition: digit(req.returnId) % 2 ? 'restock' : 'refurbish',
        })),
    },
    crm: { notify: (_req, key) => call('crm', 'notify', key, () => undefined) },
    finance: {
      refund: (req, key) => call('finance', 'refund', key, () => ({ refundId: `RF-${req.returnId}` })),
    },
  };
}
