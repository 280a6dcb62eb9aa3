import {
  builtinMappings,
  type ReadBatch,
  type ReadBatchOptions,
  type RowIssue,
  readPosBatch,
  type Sale,
} from '../connectors/index.js';
import type { ApiDeps } from './context.js';
import { checkMapped } from './inbound.js';
import { type Checked, commit, HTTP_ORIGIN } from './ingest.js';

/**
 * POS sale batches: a CSV file read row by row (see `readPosBatch`), each good receipt mapped with the
 * `pos-csv-sale` mapping to order.created and ingested; every bad row, and the good rows of a receipt
 * held back with it, quarantined with its line number and reason. Sales are idempotent on store and
 * receipt: posting the same file again reports them as duplicates.
 */

export const POS_MAPPING = 'pos-csv-sale';

export interface PosBatchInput extends ReadBatchOptions {
  /** The POS system or estate sending, e.g. `lisbon-stores`; events get the source `/pos/<source>`. */
  source: string;
  /** A name for the batch (the file name), kept with quarantined rows. */
  batch?: string;
}

export interface PosSaleResult {
  receipt: string;
  storeId: string;
  lines: number[];
  status: 'accepted' | 'duplicate' | 'quarantined';
  id?: string;
  quarantineId?: string;
  reason?: string;
}

export interface PosReport {
  /** Data rows read. */
  rows: number;
  /** Receipts whose rows were all good, each mapped to one order.created event. */
  sales: number;
  accepted: number;
  duplicates: number;
  /** Rows kept in quarantine: bad rows, good rows of a receipt with a bad one, rows of a sale the contract refused. */
  quarantined: number;
  /** Every bad row with what is wrong, by line (the header is line 1). */
  errors: Array<{ line: number; issues: RowIssue[] }>;
  results: PosSaleResult[];
}

const saleId = (storeId: string, receipt: string) => `${storeId}:${receipt}`;

function summary(issues: RowIssue[]): string {
  const text = issues.map((i) => (i.column ? `${i.column} ${i.message}` : i.message));
  return text.length > 1 ? `${text[0]} (and ${text.length - 1} more)` : (text[0] ?? 'invalid');
}

/** Quarantine entries for the rows a batch could not take. */
function rowEntries(read: ReadBatch, o: PosBatchInput, ctx: { publishedBy: string; receivedAt: number }) {
  const source = `/pos/${o.source}`;
  const base = (line: number, row: Record<string, string>) => ({
    origin: HTTP_ORIGIN,
    type: 'order.created',
    source,
    eventId: saleId(row.store_id || o.storeId || '', row.receipt ?? ''),
    payload: { format: 'pos/csv', batch: o.batch ?? null, line, row },
    receivedAt: ctx.receivedAt,
    publishedBy: ctx.publishedBy,
  });
  const bad: Checked[] = read.bad.map((b) => ({
    ok: false,
    entry: {
      ...base(b.line, b.row),
      reason: `POS batch line ${b.line}: ${summary(b.issues)}`,
      issues: b.issues.map((i) => ({ path: i.column ? `/row/${i.column}` : '/row', message: i.message })),
    },
  }));
  const held: Checked[] = read.held.map((h) => {
    const reason = `POS batch line ${h.line}: held with receipt ${h.receipt}, whose line ${h.because.join(', ')} ${h.because.length > 1 ? 'are' : 'is'} invalid`;
    return { ok: false, entry: { ...base(h.line, h.row), reason, issues: [{ path: '', message: reason }] } };
  });
  return [...bad, ...held];
}

/** The lines of a sale that contract issues point at (`/data/lines/1/sku` → the second row's line). */
function linesAt(sale: Sale, issues: Array<{ path: string; message: string }>) {
  const byLine = new Map<number, RowIssue[]>();
  for (const i of issues) {
    const m = /^\/data\/lines\/(\d+)(\/.*)?$/.exec(i.path);
    const line = sale.lines[m ? Number(m[1]) : 0]?.line ?? sale.lines[0]!.line;
    const list = byLine.get(line) ?? [];
    list.push({ message: `${i.path} ${i.message}` });
    byLine.set(line, list);
  }
  return [...byLine].map(([line, list]) => ({ line, issues: list }));
}

/** Reads, maps and ingests one batch. Throws PosBatchError (400) when the file cannot be read at all. */
export async function ingestPosBatch(
  deps: Pick<ApiDeps, 'registry' | 'governance' | 'engine' | 'bus' | 'log'>,
  text: string,
  o: PosBatchInput,
  ctx: { publishedBy: string; receivedAt: number },
): Promise<PosReport> {
  const read = readPosBatch(text, o.storeId === undefined ? {} : { storeId: o.storeId });
  const mapping = builtinMappings().get(POS_MAPPING);
  const rows = rowEntries(read, o, ctx);
  const sales = await Promise.all(
    read.sales.map((sale) =>
      checkMapped(
        deps,
        {
          mapping,
          input: sale,
          id: saleId(sale.storeId, sale.receipt),
          source: `/pos/${o.source}`,
          received: { format: 'pos/csv', batch: o.batch ?? null, sale },
        },
        ctx,
      ),
    ),
  );
  const outcomes = await commit(deps, [...rows, ...sales]);
  const saleOutcomes = outcomes.slice(rows.length);
  const errors = read.bad.map((b) => ({ line: b.line, issues: b.issues }));
  const results: PosSaleResult[] = read.sales.map((sale, i) => {
    const out = saleOutcomes[i]!;
    const r: PosSaleResult = {
      receipt: sale.receipt,
      storeId: sale.storeId,
      lines: sale.lines.map((l) => l.line),
      status: out.status,
    };
    if (out.id) r.id = out.id;
    if (out.status === 'quarantined') {
      if (out.quarantineId) r.quarantineId = out.quarantineId;
      r.reason = out.reason;
      errors.push(...linesAt(sale, out.issues));
    }
    return r;
  });
  errors.sort((a, b) => a.line - b.line);
  const count = (s: PosSaleResult['status']) => results.filter((r) => r.status === s).length;
  return {
    rows: read.rows,
    sales: read.sales.length,
    accepted: count('accepted'),
    duplicates: count('duplicate'),
    quarantined:
      rows.length + results.filter((r) => r.status === 'quarantined').reduce((n, r) => n + r.lines.length, 0),
    errors,
    results,
  };
}
