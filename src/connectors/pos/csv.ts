import { parse } from 'csv-parse/sync';
import { ValidationError } from '../../core/index.js';

/**
 * POS sales as CSV: one row per receipt line, a header row first. Rows are checked one by one;
 * good rows are grouped by store and receipt into sales, bad rows are reported with their line number
 * and every problem. A sale with a bad row is held back whole, so a receipt is never accepted with a
 * line missing.
 */

/** The columns Baton reads; others are ignored (POS exports carry cashier ids, lane numbers, …). */
export const POS_COLUMNS = [
  'store_id',
  'register',
  'receipt',
  'sold_at',
  'sku',
  'gtin',
  'description',
  'quantity',
  'unit_price',
  'discount',
  'tax',
  'currency',
  'payment_method',
  'customer_id',
] as const;
type Column = (typeof POS_COLUMNS)[number];

const REQUIRED: Column[] = ['receipt', 'sold_at', 'sku', 'quantity', 'unit_price', 'currency'];
const PAYMENT_METHODS = ['card', 'cash', 'wallet', 'gift-card'];

const STORE = /^ST-[A-Z0-9-]{1,20}$/;
const RECEIPT = /^[A-Za-z0-9][A-Za-z0-9-]{0,19}$/;
const SKU = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;
const GTIN = /^([0-9]{8}|[0-9]{12,14})$/;
const DECIMAL = /^(0|[1-9][0-9]{0,14})(\.[0-9]{1,4})?$/;
const QUANTITY = /^(0|[1-9][0-9]{0,8})(\.[0-9]{1,3})?$/;
const CURRENCY = /^[A-Z]{3}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

export interface RowIssue {
  /** The column at fault; absent for the row as a whole. */
  column?: string;
  message: string;
}

export interface BadRow {
  /** The line of the file the row starts on (the header is line 1). */
  line: number;
  issues: RowIssue[];
  /** The row's fields by column, as read. */
  row: Record<string, string>;
}

export interface SaleLine {
  line: number;
  sku: string;
  gtin?: string;
  description?: string;
  quantity: number;
  unitPrice: string;
  discount?: string;
  tax?: string;
}

/** The rows of one receipt, as the `pos-csv-sale` mapping reads them. */
export interface Sale {
  storeId: string;
  receipt: string;
  register?: string;
  soldAt: string;
  currency: string;
  paymentMethod?: string;
  customerId?: string;
  lines: SaleLine[];
}

export interface ReadBatch {
  /** Data rows read (the header and empty lines not counted). */
  rows: number;
  /** Sales whose every row is good. */
  sales: Sale[];
  bad: BadRow[];
  /** Good rows held back because another row of their sale is bad, by line. */
  held: Array<{ line: number; receipt: string; row: Record<string, string>; because: number[] }>;
}

export interface ReadBatchOptions {
  /** The store of rows without a `store_id` column or value. */
  storeId?: string;
}

/** A batch that cannot be read at all: not CSV, no header, a required column missing. */
export class PosBatchError extends ValidationError {}

function checkRow(fields: Record<string, string>, defaultStore: string | undefined): RowIssue[] {
  const issues: RowIssue[] = [];
  const need = (c: Column, ok: (v: string) => boolean, what: string) => {
    const v = fields[c] ?? '';
    if (v === '') issues.push({ column: c, message: 'is required' });
    else if (!ok(v)) issues.push({ column: c, message: `must be ${what}, got "${v}"` });
  };
  const may = (c: Column, ok: (v: string) => boolean, what: string) => {
    const v = fields[c] ?? '';
    if (v !== '' && !ok(v)) issues.push({ column: c, message: `must be ${what}, got "${v}"` });
  };
  if ((fields.store_id ?? '') === '' && defaultStore === undefined)
    issues.push({ column: 'store_id', message: 'is required (or name the store of the batch)' });
  else may('store_id', (v) => STORE.test(v), 'a store id like ST-LIS01');
  need('receipt', (v) => RECEIPT.test(v), 'letters, digits and dashes, at most 20');
  need('sold_at', (v) => RFC3339.test(v) && Number.isFinite(Date.parse(v)), 'an RFC 3339 time with offset');
  need('sku', (v) => SKU.test(v), 'a SKU (letters, digits, . _ / -)');
  may('gtin', (v) => GTIN.test(v), 'a GTIN of 8, 12, 13 or 14 digits');
  may('description', (v) => v.length <= 200, 'at most 200 characters');
  need('quantity', (v) => QUANTITY.test(v) && Number(v) > 0, 'a positive number');
  need('unit_price', (v) => DECIMAL.test(v), 'a decimal amount such as 19.90');
  may('discount', (v) => DECIMAL.test(v), 'a decimal amount such as 1.00');
  may('tax', (v) => DECIMAL.test(v), 'a decimal amount such as 3.72');
  need('currency', (v) => CURRENCY.test(v), 'an ISO 4217 code such as EUR');
  may('payment_method', (v) => PAYMENT_METHODS.includes(v), `one of ${PAYMENT_METHODS.join(', ')}`);
  may('customer_id', (v) => v.length <= 64, 'at most 64 characters');
  return issues;
}

function toLine(line: number, f: Record<string, string>): SaleLine {
  const out: SaleLine = { line, sku: f.sku!, quantity: Number(f.quantity), unitPrice: f.unit_price! };
  if (f.gtin) out.gtin = f.gtin;
  if (f.description) out.description = f.description;
  if (f.discount) out.discount = f.discount;
  if (f.tax) out.tax = f.tax;
  return out;
}

/** Reads a POS CSV batch. Throws PosBatchError when the file as a whole cannot be read. */
export function readPosBatch(text: string, o: ReadBatchOptions = {}): ReadBatch {
  if (o.storeId !== undefined && !STORE.test(o.storeId))
    throw new PosBatchError(`the batch's store must be a store id like ST-LIS01, got "${o.storeId}"`);
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, {
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      bom: true,
      trim: true,
    }) as unknown as typeof records;
  } catch (err) {
    const e = err as { lines?: number; message?: string };
    throw new PosBatchError(
      `not readable as CSV${e.lines ? ` at line ${e.lines}` : ''}: ${e.message ?? String(err)}`,
    );
  }
  const [head, ...body] = records;
  if (!head) throw new PosBatchError('the batch is empty: a header row is required');
  const header = head.record.map((h) => h.toLowerCase());
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length > 0)
    throw new PosBatchError(
      `the header row lacks ${missing.join(', ')} (it reads: ${header.join(', ')}; required: ${REQUIRED.join(', ')})`,
      missing.map((c) => ({ path: `/header/${c}`, message: 'is a required column' })),
    );
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup) throw new PosBatchError(`the header row names the column ${dup} twice`);

  const bad: BadRow[] = [];
  const groups = new Map<string, Array<{ line: number; fields: Record<string, string>; ok: boolean }>>();
  for (const { record, info } of body) {
    // a quoted field may span lines: the row starts where its first field does
    const line = info.lines - record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
    const fields: Record<string, string> = {};
    header.forEach((h, i) => {
      fields[h] = record[i] ?? '';
    });
    const issues: RowIssue[] =
      record.length === header.length
        ? []
        : [{ message: `has ${record.length} fields, the header has ${header.length}` }];
    issues.push(...checkRow(fields, o.storeId));
    const storeId = fields.store_id || o.storeId || '';
    const key = `${storeId}\n${fields.receipt ?? ''}`;
    const group = groups.get(key) ?? [];
    const first = group[0];
    if (first && issues.length === 0)
      for (const c of ['sold_at', 'currency'] as const)
        if (fields[c] !== first.fields[c])
          issues.push({
            column: c,
            message: `is "${fields[c]}" but line ${first.line} of receipt ${fields.receipt} says "${first.fields[c]}"`,
          });
    if (issues.length > 0) bad.push({ line, issues, row: fields });
    group.push({ line, fields, ok: issues.length === 0 });
    groups.set(key, group);
  }

  const sales: Sale[] = [];
  const held: ReadBatch['held'] = [];
  for (const group of groups.values()) {
    const badLines = group.filter((r) => !r.ok).map((r) => r.line);
    if (badLines.length > 0) {
      for (const r of group)
        if (r.ok) held.push({ line: r.line, receipt: r.fields.receipt!, row: r.fields, because: badLines });
      continue;
    }
    const f = group[0]!.fields;
    const sale: Sale = {
      storeId: f.store_id || o.storeId!,
      receipt: f.receipt!,
      soldAt: f.sold_at!,
      currency: f.currency!,
      lines: group.map((r) => toLine(r.line, r.fields)),
    };
    const pick = (c: Column) => group.map((r) => r.fields[c]).find((v) => v);
    const register = pick('register');
    const payment = pick('payment_method');
    const customer = pick('customer_id');
    if (register) sale.register = register;
    if (payment) sale.paymentMethod = payment;
    if (customer) sale.customerId = customer;
    sales.push(sale);
  }
  return { rows: body.length, sales, bad, held };
}
