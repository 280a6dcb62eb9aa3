import { Kind, type TProperties, type TSchema, Type } from '@sinclair/typebox';

/**
 * Pieces the built-in connectors share. Inputs are closed (a misspelt field fails before any
 * request); outputs are open: a system may send more than the fields Baton reads.
 */

export const Id = Type.String({ minLength: 1, maxLength: 64 });
export const Qty = Type.Integer({ minimum: 1, maximum: 1_000_000 });
/** A count that may be zero: received, damaged, shipped units. */
export const Count = Type.Integer({ minimum: 0 });
export const Money = Type.Number({ minimum: 0, maximum: 100_000_000 });
export const Amount = Type.Number({ exclusiveMinimum: 0, maximum: 100_000_000 });
export const Currency = Type.String({ minLength: 3, maxLength: 3 });
export const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}' });
/** An ISO 8601 time as systems send it; checked by pattern, not by a registered format. */
export const Time = Type.String({ minLength: 10 });
export const Text = (maxLength: number) => Type.String({ maxLength });
export const SalesChannel = Type.Union([Type.Literal('store'), Type.Literal('web')]);

export const closed = <T extends TProperties>(props: T) =>
  Type.Object(props, { additionalProperties: false });

export const Lines = Type.Array(closed({ sku: Id, qty: Qty }), { minItems: 1, maxItems: 1000 });
export const LinesOut = Type.Array(Type.Object({ sku: Id, qty: Count }));

/** A path segment from an id. */
export const seg = (id: string) => encodeURIComponent(id);

const FORMAT_PATTERNS: Record<string, string> = {
  'date-time': '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$',
  date: '^\\d{4}-\\d{2}-\\d{2}$',
};

type Node = Record<string | symbol, unknown>;

/** A leaf the compiler cannot check (TypeBox `Unsafe`, e.g. a contract's enum) as one it can. */
function fromUnsafe(node: Node): TSchema {
  const { [Kind]: _kind, enum: values, type, ...options } = node;
  if (Array.isArray(values))
    return Type.Union(
      values.map((v) => Type.Literal(v as string)),
      options,
    );
  if (type === 'string') return Type.String(options);
  if (type === 'number') return Type.Number(options);
  if (type === 'integer') return Type.Integer(options);
  if (type === 'boolean') return Type.Boolean(options);
  throw new TypeError(`a connector cannot check the schema ${JSON.stringify(node)}`);
}

/**
 * A contract schema the connector's compiled validators can check: `date-time` and `date` formats
 * (known to the compiler only once registered) become patterns, and `Unsafe` leaves (enums)
 * become unions of literals; every other keyword, TypeBox's symbols included, is kept.
 */
export function compilable<S extends TSchema>(schema: S): S {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const copy: Node = { ...(node as Node) };
    for (const key of Object.keys(copy)) copy[key] = walk(copy[key]);
    const format = copy.format;
    if (typeof format === 'string' && format in FORMAT_PATTERNS) {
      delete copy.format;
      copy.pattern ??= FORMAT_PATTERNS[format];
    }
    return copy[Kind] === 'Unsafe' ? fromUnsafe(copy) : copy;
  };
  return walk(schema) as S;
}
