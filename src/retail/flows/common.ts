import { Kind, type TSchema, type TUnsafe, Type } from '@sinclair/typebox';
import { catalogue } from '../../contracts/index.js';
import type { RetryPolicy } from '../../engine/index.js';

/** Pieces the order, transfer and returns flows share: money, quantities, dates, retries. */

/**
 * How steps that call a system retry: long enough to ride out an outage of a few minutes. The
 * connector client retries quickly inside each attempt; this is the durable layer above it.
 */
export const SYSTEM_RETRY: RetryPolicy = {
  maxAttempts: 8,
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '2m',
};

/** The ERP named in the documents the flows' events refer to. */
export type ErpSystem = 'sap-s4' | 'odoo' | 'erpnext';

export interface Money {
  amount: string;
  currency: string;
}

export const cents = (n: number) => Math.round(n * 100) / 100;
export const amountOf = (m: Money) => Number(m.amount);
export const money = (n: number, currency: string): Money => ({ amount: cents(n).toFixed(2), currency });
export const each = (value: number) => ({ value, uom: 'EA' });

export const isoDay = (d: Date) => d.toISOString().slice(0, 10);
export const addDays = (d: Date, days: number) => new Date(d.getTime() + days * 86_400_000);
export const hoursBetween = (from: Date, to: Date) => (to.getTime() - from.getTime()) / 3_600_000;

/** The price list a sales channel buys from in the ERP: till sales from the store list, the rest from the web's. */
export const erpChannel = (channel: string): 'store' | 'web' => (channel === 'pos' ? 'store' : 'web');

/** The channel as the decision tables name it. */
export const ruleChannel = (channel: string): 'pos' | 'web' | 'b2b' =>
  channel === 'pos' ? 'pos' : channel === 'b2b-edi' ? 'b2b' : 'web';

/**
 * The catalogue schema of an event type as a workflow input, so a run starts only on data that
 * fits the contract. TypeBox's compiler checks `date-time`, `date` and `email` only once they are
 * registered, and not the catalogue's enums (`Unsafe` leaves) at all; as patterns and unions of
 * literals they are checked without a global registry.
 */
export function contractInput<T>(type: string): TUnsafe<T> {
  const entry = catalogue.find((e) => e.type === type);
  if (!entry) throw new Error(`no event type ${type} in the catalogue`);
  return withPatterns(entry.schema) as unknown as TUnsafe<T>;
}

export function withPatterns<S extends TSchema>(schema: S): S {
  const patterns: Record<string, string> = {
    'date-time': '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$',
    date: '^\\d{4}-\\d{2}-\\d{2}$',
    email: '^[^@\\s]+@[^@\\s]+$',
  };
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const copy: Record<string | symbol, unknown> = { ...(node as Record<string | symbol, unknown>) };
    for (const key of Object.keys(copy)) copy[key] = walk(copy[key]);
    const format = copy.format;
    if (typeof format === 'string' && format in patterns) {
      delete copy.format;
      copy.pattern ??= patterns[format];
    }
    if (copy[Kind] !== 'Unsafe' || !Array.isArray(copy.enum)) return copy;
    const { [Kind]: _, enum: values, type: _type, ...options } = copy;
    return Type.Union(
      (values as string[]).map((v) => Type.Literal(v)),
      options,
    );
  };
  return walk(schema) as S;
}
