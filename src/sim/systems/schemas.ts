import { type TSchema, Type } from '@sinclair/typebox';
import { ApplicationFailure, type ValidationIssue } from '../../core/index.js';
import type { EstateIndex } from '../estate.js';

/** Request pieces the systems share. Bodies are closed: an unknown property is a mistake to report. */

export const Id = Type.String({ minLength: 1, maxLength: 64 });
export const Qty = Type.Integer({ minimum: 1, maximum: 1_000_000 });
export const Money = Type.Number({ minimum: 0, maximum: 100_000_000 });
export const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}' });
export const ChannelSchema = Type.Union([Type.Literal('store'), Type.Literal('web')]);

export const Lines = Type.Array(Type.Object({ sku: Id, qty: Qty }, { additionalProperties: false }), {
  minItems: 1,
  maxItems: 1000,
});

export const closed = <T extends Record<string, TSchema>>(props: T) =>
  Type.Object(props, { additionalProperties: false });

/** Master data a request refers to must exist: each unknown id is reported by pointer. */
export function requireKnown(
  index: EstateIndex,
  refs: Array<{ path: string; kind: 'sku' | 'location' | 'customer' | 'store'; id: string }>,
): void {
  const issues: ValidationIssue[] = [];
  for (const r of refs) {
    const known =
      r.kind === 'sku'
        ? index.skus.has(r.id)
        : r.kind === 'customer'
          ? index.customers.has(r.id)
          : r.kind === 'store'
            ? index.stores.has(r.id)
            : index.isLocation(r.id);
    if (!known) issues.push({ path: r.path, message: `unknown ${r.kind} ${r.id}` });
  }
  if (issues.length > 0) throw rejection('unknown-master-data', issues);
}

/**
 * A business refusal listing each offending value by pointer; answered as 422 with the problem
 * type `…:<type>` and `errors` like a validation problem.
 */
export function rejection(
  type: string,
  issues: ValidationIssue[],
  extra: Record<string, unknown> = {},
): ApplicationFailure {
  const first = issues[0];
  const detail = first ? `${first.path} ${first.message}` : type;
  return ApplicationFailure.nonRetryable(
    `${detail}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
    type,
    { ...extra, errors: issues.map((i) => ({ pointer: i.path, detail: i.message })) },
  );
}

/** The date part (`YYYY-MM-DD`) of an ISO time, or of `now` when absent. */
export const dayOf = (iso: string | undefined, now: number): string =>
  (iso ?? new Date(now).toISOString()).slice(0, 10);
