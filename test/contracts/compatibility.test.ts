import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  COMPATIBILITY_MODES,
  type CompatibilityChange,
  ContractValidators,
  checkCompatibility,
  compareUnderMode,
  DIFFERENCE_KINDS,
  type DifferenceKind,
  diffSchemas,
} from '../../src/contracts/index.js';
import { ValidationError } from '../../src/core/index.js';

/**
 * One rule of the checker: a pair of schemas, the difference it must report (kind and JSON pointer)
 * and whether that difference keeps a reader on the new schema able to read documents written with
 * the old one, as Confluent Schema Registry decides it for JSON Schema.
 */
interface Case {
  name: string;
  old: unknown;
  new: unknown;
  kind: DifferenceKind;
  path: string;
  compatible: boolean;
  /** Other differences expected beside it, as `KIND path`. */
  also?: string[];
  /** For a breaking change: a document valid under the old schema that the new one refuses. */
  witness?: unknown;
}

const str = { type: 'string' };
const int = { type: 'integer' };
const num = { type: 'number' };
const obj = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties,
  ...extra,
});
const closed = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  obj(properties, { additionalProperties: false, ...extra });
/** `{ sku: <schema> }`, for string keywords. */
const sku = (s: Record<string, unknown>) => obj({ sku: { type: 'string', ...s } });
/** `{ qty: <schema> }`, for number keywords. */
const qty = (s: Record<string, unknown>) => obj({ qty: { type: 'number', ...s } });
const array = (s: Record<string, unknown>) => ({ type: 'array', ...s });
const tuple = (prefixItems: unknown[], extra: Record<string, unknown> = {}) =>
  array({ prefixItems, ...extra });

/** A limit keyword's four kinds: added, removed, increased, decreased. */
function limitCases(
  keyword: string,
  prefix: string,
  wrap: (s: Record<string, unknown>) => unknown,
  path: string,
  /** Whether a larger value accepts more (maxLength) or less (minLength). */
  largerAcceptsMore: boolean,
  values: { low: number; high: number; between: unknown; outside: unknown },
): Case[] {
  const { low, high, between, outside } = values;
  const tight = largerAcceptsMore ? low : high;
  return [
    {
      name: `${keyword} added`,
      old: wrap({}),
      new: wrap({ [keyword]: tight }),
      kind: `${prefix}_ADDED` as DifferenceKind,
      path,
      compatible: false,
      witness: outside,
    },
    {
      name: `${keyword} removed`,
      old: wrap({ [keyword]: tight }),
      new: wrap({}),
      kind: `${prefix}_REMOVED` as DifferenceKind,
      path,
      compatible: true,
    },
    {
      name: `${keyword} ${low} → ${high}`,
      old: wrap({ [keyword]: low }),
      new: wrap({ [keyword]: high }),
      kind: `${prefix}_INCREASED` as DifferenceKind,
      path,
      compatible: largerAcceptsMore,
      ...(largerAcceptsMore ? {} : { witness: between }),
    },
    {
      name: `${keyword} ${high} → ${low}`,
      old: wrap({ [keyword]: high }),
      new: wrap({ [keyword]: low }),
      kind: `${prefix}_DECREASED` as DifferenceKind,
      path,
      compatible: !largerAcceptsMore,
      ...(largerAcceptsMore ? { witness: between } : {}),
    },
  ];
}

const annotations: Case[] = [
  {
    name: '$id changed',
    old: { $id: 'urn:baton:test:a', type: 'string' },
    new: { $id: 'urn:baton:test:b', type: 'string' },
    kind: 'ID_CHANGED',
    path: '#',
    compatible: true,
  },
  {
    name: 'title changed',
    old: obj({ qty: { ...int, title: 'Qty' } }),
    new: obj({ qty: { ...int, title: 'Quantity' } }),
    kind: 'TITLE_CHANGED',
    path: '#/properties/qty',
    compatible: true,
  },
  {
    name: 'description changed',
    old: obj({}, { description: 'An order' }),
    new: obj({}, { description: 'A sales order' }),
    kind: 'DESCRIPTION_CHANGED',
    path: '#',
    compatible: true,
  },
  {
    name: 'default changed',
    old: obj({ qty: { ...int, default: 1 } }),
    new: obj({ qty: { ...int, default: 2 } }),
    kind: 'DEFAULT_CHANGED',
    path: '#/properties/qty',
    compatible: true,
  },
  {
    name: 'examples and deprecated changed',
    old: obj({ qty: { ...int, examples: [1] } }),
    new: obj({ qty: { ...int, examples: [2], deprecated: true } }),
    kind: 'ANNOTATION_CHANGED',
    path: '#/properties/qty',
    compatible: true,
    also: ['ANNOTATION_CHANGED #/properties/qty'],
  },
];

const types: Case[] = [
  {
    name: 'integer → number',
    old: obj({ qty: int }),
    new: obj({ qty: num }),
    kind: 'TYPE_EXTENDED',
    path: '#/properties/qty',
    compatible: true,
  },
  {
    name: 'string → string or null',
    old: obj({ note: str }),
    new: obj({ note: { type: ['string', 'null'] } }),
    kind: 'TYPE_EXTENDED',
    path: '#/properties/note',
    compatible: true,
  },
  {
    name: 'false → a schema',
    old: obj({ legacy: false }),
    new: obj({ legacy: str }),
    kind: 'TYPE_EXTENDED',
    path: '#/properties/legacy',
    compatible: true,
  },
  {
    name: 'number → integer',
    old: obj({ qty: num }),
    new: obj({ qty: int }),
    kind: 'TYPE_NARROWED',
    path: '#/properties/qty',
    compatible: false,
    witness: { qty: 1.5 },
  },
  {
    name: 'a schema → false',
    old: obj({ legacy: str }),
    new: obj({ legacy: false }),
    kind: 'TYPE_NARROWED',
    path: '#/properties/legacy',
    compatible: false,
    witness: { legacy: 'x' },
  },
  {
    name: 'integer → string',
    old: obj({ qty: int }),
    new: obj({ qty: str }),
    kind: 'TYPE_CHANGED',
    path: '#/properties/qty',
    compatible: false,
    witness: { qty: 3 },
  },
];

const strings: Case[] = [
  ...limitCases('maxLength', 'MAX_LENGTH', sku, '#/properties/sku', true, {
    low: 4,
    high: 8,
    between: { sku: 'ABCDEF' },
    outside: { sku: 'ABCDEFGHIJ' },
  }),
  ...limitCases('minLength', 'MIN_LENGTH', sku, '#/properties/sku', false, {
    low: 1,
    high: 4,
    between: { sku: 'AB' },
    outside: { sku: '' },
  }),
  {
    name: 'pattern added',
    old: sku({}),
    new: sku({ pattern: '^[0-9]+$' }),
    kind: 'PATTERN_ADDED',
    path: '#/properties/sku',
    compatible: false,
    witness: { sku: 'ABC' },
  },
  {
    name: 'pattern removed',
    old: sku({ pattern: '^[0-9]+$' }),
    new: sku({}),
    kind: 'PATTERN_REMOVED',
    path: '#/properties/sku',
    compatible: true,
  },
  {
    name: 'pattern changed',
    old: sku({ pattern: '^[A-Z]+$' }),
    new: sku({ pattern: '^[0-9]+$' }),
    kind: 'PATTERN_CHANGED',
    path: '#/properties/sku',
    compatible: false,
    witness: { sku: 'ABC' },
  },
  {
    name: 'format added',
    old: obj({ at: str }),
    new: obj({ at: { type: 'string', format: 'date-time' } }),
    kind: 'FORMAT_ADDED',
    path: '#/properties/at',
    compatible: false,
    witness: { at: 'yesterday' },
  },
  {
    name: 'format removed',
    old: obj({ at: { type: 'string', format: 'date-time' } }),
    new: obj({ at: str }),
    kind: 'FORMAT_REMOVED',
    path: '#/properties/at',
    compatible: true,
  },
  {
    name: 'format changed',
    old: obj({ at: { type: 'string', format: 'date' } }),
    new: obj({ at: { type: 'string', format: 'date-time' } }),
    kind: 'FORMAT_CHANGED',
    path: '#/properties/at',
    compatible: false,
    witness: { at: '2026-03-02' },
  },
];

const numbers: Case[] = [
  ...limitCases('maximum', 'MAXIMUM', qty, '#/properties/qty', true, {
    low: 10,
    high: 100,
    between: { qty: 50 },
    outside: { qty: 500 },
  }),
  ...limitCases('minimum', 'MINIMUM', qty, '#/properties/qty', false, {
    low: 0,
    high: 5,
    between: { qty: 2 },
    outside: { qty: -1 },
  }),
  ...limitCases('exclusiveMaximum', 'EXCLUSIVE_MAXIMUM', qty, '#/properties/qty', true, {
    low: 10,
    high: 100,
    between: { qty: 50 },
    outside: { qty: 500 },
  }),
  ...limitCases('exclusiveMinimum', 'EXCLUSIVE_MINIMUM', qty, '#/properties/qty', false, {
    low: 0,
    high: 5,
    between: { qty: 2 },
    outside: { qty: -1 },
  }),
  {
    name: 'multipleOf added',
    old: qty({}),
    new: qty({ multipleOf: 2 }),
    kind: 'MULTIPLE_OF_ADDED',
    path: '#/properties/qty',
    compatible: false,
    witness: { qty: 3 },
  },
  {
    name: 'multipleOf removed',
    old: qty({ multipleOf: 2 }),
    new: qty({}),
    kind: 'MULTIPLE_OF_REMOVED',
    path: '#/properties/qty',
    compatible: true,
  },
  {
    name: 'multipleOf 2 → 4',
    old: qty({ multipleOf: 2 }),
    new: qty({ multipleOf: 4 }),
    kind: 'MULTIPLE_OF_EXPANDED',
    path: '#/properties/qty',
    compatible: false,
    witness: { qty: 6 },
  },
  {
    name: 'multipleOf 4 → 2',
    old: qty({ multipleOf: 4 }),
    new: qty({ multipleOf: 2 }),
    kind: 'MULTIPLE_OF_REDUCED',
    path: '#/properties/qty',
    compatible: true,
  },
  {
    name: 'multipleOf 0.1 → 0.05 (binary fractions)',
    old: qty({ multipleOf: 0.1 }),
    new: qty({ multipleOf: 0.05 }),
    kind: 'MULTIPLE_OF_REDUCED',
    path: '#/properties/qty',
    compatible: true,
  },
  {
    name: 'multipleOf 2 → 3',
    old: qty({ multipleOf: 2 }),
    new: qty({ multipleOf: 3 }),
    kind: 'MULTIPLE_OF_CHANGED',
    path: '#/properties/qty',
    compatible: false,
    witness: { qty: 4 },
  },
];

const enums: Case[] = [
  {
    name: 'enum gains a value',
    old: obj({ status: { type: 'string', enum: ['open', 'shipped'] } }),
    new: obj({ status: { type: 'string', enum: ['open', 'shipped', 'returned'] } }),
    kind: 'ENUM_ARRAY_EXTENDED',
    path: '#/properties/status',
    compatible: true,
  },
  {
    name: 'const becomes an enum',
    old: obj({ v: { const: 1 } }),
    new: obj({ v: { enum: [1, 2] } }),
    kind: 'ENUM_ARRAY_EXTENDED',
    path: '#/properties/v',
    compatible: true,
  },
  {
    name: 'enum loses a value',
    old: obj({ status: { type: 'string', enum: ['open', 'shipped', 'returned'] } }),
    new: obj({ status: { type: 'string', enum: ['open', 'shipped'] } }),
    kind: 'ENUM_ARRAY_NARROWED',
    path: '#/properties/status',
    compatible: false,
    witness: { status: 'returned' },
  },
  {
    name: 'enum added to a plain string',
    old: obj({ status: str }),
    new: obj({ status: { type: 'string', enum: ['open'] } }),
    kind: 'ENUM_ARRAY_NARROWED',
    path: '#/properties/status',
    compatible: false,
    witness: { status: 'closed' },
  },
  {
    name: 'enum swaps a value',
    old: obj({ status: { type: 'string', enum: ['open', 'shipped'] } }),
    new: obj({ status: { type: 'string', enum: ['open', 'returned'] } }),
    kind: 'ENUM_ARRAY_CHANGED',
    path: '#/properties/status',
    compatible: false,
    witness: { status: 'shipped' },
  },
];

const required: Case[] = [
  {
    name: 'an existing property becomes required',
    old: obj({ note: str }),
    new: obj({ note: str }, { required: ['note'] }),
    kind: 'REQUIRED_ATTRIBUTE_ADDED',
    path: '#/properties/note',
    compatible: false,
    witness: {},
  },
  {
    name: 'an existing property with a default becomes required',
    old: obj({ note: { type: 'string', default: '-' } }),
    new: obj({ note: { type: 'string', default: '-' } }, { required: ['note'] }),
    kind: 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED',
    path: '#/properties/note',
    compatible: true,
  },
  {
    name: 'a property stops being required',
    old: obj({ note: str }, { required: ['note'] }),
    new: obj({ note: str }),
    kind: 'REQUIRED_ATTRIBUTE_REMOVED',
    path: '#/properties/note',
    compatible: true,
  },
];

const open = (properties: Record<string, unknown>) => obj(properties);
const byPattern = (properties: Record<string, unknown>) =>
  obj(properties, { patternProperties: { '^x_': str }, additionalProperties: false });
const bySchema = (properties: Record<string, unknown>) => obj(properties, { additionalProperties: str });

const contentModels: Case[] = [
  {
    name: 'open: a property added',
    old: open({}),
    new: open({ note: str }),
    kind: 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
    path: '#/properties/note',
    compatible: false,
    witness: { note: 42 },
  },
  {
    name: 'open (additionalProperties: true): a property added',
    old: obj({}, { additionalProperties: true }),
    new: obj({ note: str }, { additionalProperties: true }),
    kind: 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
    path: '#/properties/note',
    compatible: false,
    witness: { note: 42 },
  },
  {
    name: 'open: a property accepting anything added',
    old: open({}),
    new: open({ note: {}, memo: true }),
    kind: 'PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL',
    path: '#/properties/note',
    compatible: true,
    also: ['PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL #/properties/memo'],
  },
  {
    name: 'open: a property removed',
    old: open({ note: str }),
    new: open({}),
    kind: 'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL',
    path: '#/properties/note',
    compatible: true,
  },
  {
    name: 'closed: an optional property added',
    old: closed({}),
    new: closed({ note: str }),
    kind: 'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
    path: '#/properties/note',
    compatible: true,
  },
  {
    name: 'closed: a required property added',
    old: closed({}),
    new: closed({ note: str }, { required: ['note'] }),
    kind: 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
    path: '#/properties/note',
    compatible: false,
    also: ['REQUIRED_ATTRIBUTE_ADDED #/properties/note'],
    witness: {},
  },
  {
    name: 'closed: a required property with a default added',
    old: closed({}),
    new: closed({ note: { type: 'string', default: '-' } }, { required: ['note'] }),
    kind: 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL',
    path: '#/properties/note',
    compatible: true,
    also: ['REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED #/properties/note'],
  },
  {
    name: 'closed: a property removed',
    old: closed({ note: str }),
    new: closed({}),
    kind: 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
    path: '#/properties/note',
    compatible: false,
    witness: { note: 'x' },
  },
  {
    name: 'closed: a property declared false removed',
    old: closed({ legacy: false }),
    new: closed({}),
    kind: 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL',
    path: '#/properties/legacy',
    compatible: true,
  },
  {
    name: 'partially open (patternProperties): a property the pattern covers added',
    old: byPattern({}),
    new: byPattern({ x_note: str }),
    kind: 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    path: '#/properties/x_note',
    compatible: true,
  },
  {
    name: 'partially open (additionalProperties schema): a property it covers added',
    old: bySchema({}),
    new: bySchema({ note: { type: 'string', maxLength: 10 } }),
    kind: 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    path: '#/properties/note',
    compatible: false,
    also: ['MAX_LENGTH_ADDED #/properties/note'],
    witness: { note: 'a rather long note' },
  },
  {
    name: 'partially open (additionalProperties schema): a covered property added',
    old: bySchema({}),
    new: bySchema({ note: str }),
    kind: 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    path: '#/properties/note',
    compatible: true,
  },
  {
    name: 'partially open: an added property of another type than the pattern allows',
    old: byPattern({}),
    new: byPattern({ x_count: int }),
    kind: 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    path: '#/properties/x_count',
    compatible: false,
    also: ['TYPE_CHANGED #/properties/x_count'],
    witness: { x_count: 'seven' },
  },
  {
    name: 'partially open: a property the pattern covers removed',
    old: byPattern({ x_note: str }),
    new: byPattern({}),
    kind: 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    path: '#/properties/x_note',
    compatible: true,
  },
  {
    name: 'partially open: a removed property the rest no longer accepts',
    old: bySchema({ count: int }),
    new: bySchema({}),
    kind: 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    path: '#/properties/count',
    compatible: false,
    also: ['TYPE_CHANGED #/properties/count'],
    witness: { count: 7 },
  },
  {
    name: 'closed → open',
    old: closed({ a: str }),
    new: open({ a: str }),
    kind: 'ADDITIONAL_PROPERTIES_ADDED',
    path: '#',
    compatible: true,
  },
  {
    name: 'open → closed',
    old: open({ a: str }),
    new: closed({ a: str }),
    kind: 'ADDITIONAL_PROPERTIES_REMOVED',
    path: '#',
    compatible: false,
    witness: { a: 'x', b: 1 },
  },
  {
    name: 'closed → additionalProperties schema',
    old: closed({}),
    new: bySchema({}),
    kind: 'ADDITIONAL_PROPERTIES_EXTENDED',
    path: '#',
    compatible: true,
  },
  {
    name: 'additionalProperties schema → open',
    old: bySchema({}),
    new: open({}),
    kind: 'ADDITIONAL_PROPERTIES_EXTENDED',
    path: '#',
    compatible: true,
  },
  {
    name: 'open → additionalProperties schema',
    old: open({}),
    new: bySchema({}),
    kind: 'ADDITIONAL_PROPERTIES_NARROWED',
    path: '#',
    compatible: false,
    witness: { extra: 1 },
  },
  {
    name: 'additionalProperties schema → closed',
    old: bySchema({}),
    new: closed({}),
    kind: 'ADDITIONAL_PROPERTIES_NARROWED',
    path: '#',
    compatible: false,
    witness: { extra: 'x' },
  },
  {
    name: 'additionalProperties schema narrowed in place',
    old: bySchema({}),
    new: obj({}, { additionalProperties: { type: 'string', maxLength: 3 } }),
    kind: 'MAX_LENGTH_ADDED',
    path: '#/additionalProperties',
    compatible: false,
    witness: { extra: 'abcdef' },
  },
  {
    name: 'closed: a pattern added',
    old: closed({}),
    new: byPattern({}),
    kind: 'PATTERN_PROPERTIES_EXTENDED',
    path: '#/patternProperties/^x_',
    compatible: true,
  },
  {
    name: 'open: a pattern removed',
    old: obj({}, { patternProperties: { '^x_': str } }),
    new: open({}),
    kind: 'PATTERN_PROPERTIES_EXTENDED',
    path: '#/patternProperties/^x_',
    compatible: true,
  },
  {
    name: 'open: a pattern added',
    old: open({}),
    new: obj({}, { patternProperties: { '^x_': str } }),
    kind: 'PATTERN_PROPERTIES_NARROWED',
    path: '#/patternProperties/^x_',
    compatible: false,
    also: ['TYPE_NARROWED #/patternProperties/^x_'],
    witness: { x_a: 1 },
  },
  {
    name: 'closed: a pattern removed',
    old: byPattern({}),
    new: closed({}),
    kind: 'PATTERN_PROPERTIES_NARROWED',
    path: '#/patternProperties/^x_',
    compatible: false,
    also: ['TYPE_NARROWED #/patternProperties/^x_'],
    witness: { x_a: 'x' },
  },
  {
    name: 'a pattern tightened in place',
    old: byPattern({}),
    new: obj(
      {},
      { patternProperties: { '^x_': { type: 'string', maxLength: 2 } }, additionalProperties: false },
    ),
    kind: 'MAX_LENGTH_ADDED',
    path: '#/patternProperties/^x_',
    compatible: false,
    witness: { x_a: 'long' },
  },
  {
    name: 'propertyNames added',
    old: open({}),
    new: obj({}, { propertyNames: { pattern: '^[a-z]+$' } }),
    kind: 'PROPERTY_NAMES_ADDED',
    path: '#',
    compatible: false,
    witness: { Upper: 1 },
  },
  {
    name: 'propertyNames removed',
    old: obj({}, { propertyNames: { pattern: '^[a-z]+$' } }),
    new: open({}),
    kind: 'PROPERTY_NAMES_REMOVED',
    path: '#',
    compatible: true,
  },
  {
    name: 'propertyNames tightened',
    old: obj({}, { propertyNames: { maxLength: 10 } }),
    new: obj({}, { propertyNames: { maxLength: 5 } }),
    kind: 'MAX_LENGTH_DECREASED',
    path: '#/propertyNames',
    compatible: false,
    witness: { sevenchr: 1 },
  },
  ...limitCases('maxProperties', 'MAX_PROPERTIES', (s) => obj({}, s), '#', true, {
    low: 1,
    high: 3,
    between: { a: 1, b: 2 },
    outside: { a: 1, b: 2, c: 3, d: 4 },
  }),
  ...limitCases('minProperties', 'MIN_PROPERTIES', (s) => obj({}, s), '#', false, {
    low: 1,
    high: 3,
    between: { a: 1, b: 2 },
    outside: {},
  }),
];

const deps = (extra: Record<string, unknown>) => obj({ card: str, billing: str, cvc: str }, extra);

const dependencies: Case[] = [
  {
    name: 'dependentRequired added',
    old: deps({}),
    new: deps({ dependentRequired: { card: ['billing'] } }),
    kind: 'DEPENDENCY_ARRAY_ADDED',
    path: '#/dependentRequired/card',
    compatible: false,
    witness: { card: '4111' },
  },
  {
    name: 'draft-07 dependencies array added',
    old: deps({}),
    new: deps({ dependencies: { card: ['billing'] } }),
    kind: 'DEPENDENCY_ARRAY_ADDED',
    path: '#/dependencies/card',
    compatible: false,
    witness: { card: '4111' },
  },
  {
    name: 'dependentRequired removed',
    old: deps({ dependentRequired: { card: ['billing'] } }),
    new: deps({}),
    kind: 'DEPENDENCY_ARRAY_REMOVED',
    path: '#/dependentRequired/card',
    compatible: true,
  },
  {
    name: 'dependentRequired gains a name',
    old: deps({ dependentRequired: { card: ['billing'] } }),
    new: deps({ dependentRequired: { card: ['billing', 'cvc'] } }),
    kind: 'DEPENDENCY_ARRAY_EXTENDED',
    path: '#/dependentRequired/card',
    compatible: false,
    witness: { card: '4111', billing: 'x' },
  },
  {
    name: 'dependentRequired loses a name',
    old: deps({ dependentRequired: { card: ['billing', 'cvc'] } }),
    new: deps({ dependentRequired: { card: ['billing'] } }),
    kind: 'DEPENDENCY_ARRAY_NARROWED',
    path: '#/dependentRequired/card',
    compatible: true,
  },
  {
    name: 'dependentRequired swaps a name',
    old: deps({ dependentRequired: { card: ['billing'] } }),
    new: deps({ dependentRequired: { card: ['cvc'] } }),
    kind: 'DEPENDENCY_ARRAY_CHANGED',
    path: '#/dependentRequired/card',
    compatible: false,
    witness: { card: '4111', billing: 'x' },
  },
  {
    name: 'dependentSchemas added',
    old: deps({}),
    new: deps({ dependentSchemas: { card: { required: ['cvc'] } } }),
    kind: 'DEPENDENCY_SCHEMA_ADDED',
    path: '#/dependentSchemas/card',
    compatible: false,
    witness: { card: '4111' },
  },
  {
    name: 'dependentSchemas removed',
    old: deps({ dependentSchemas: { card: { required: ['cvc'] } } }),
    new: deps({}),
    kind: 'DEPENDENCY_SCHEMA_REMOVED',
    path: '#/dependentSchemas/card',
    compatible: true,
  },
  {
    name: 'dependentSchemas tightened in place',
    old: deps({ dependentSchemas: { card: { properties: { cvc: { maxLength: 4 } } } } }),
    new: deps({ dependentSchemas: { card: { properties: { cvc: { maxLength: 3 } } } } }),
    kind: 'MAX_LENGTH_DECREASED',
    path: '#/dependentSchemas/card/properties/cvc',
    compatible: false,
    witness: { card: '4111', cvc: '1234' },
  },
];

const arrays: Case[] = [
  {
    name: 'items added',
    old: array({}),
    new: array({ items: str }),
    kind: 'ITEMS_ADDED',
    path: '#',
    compatible: false,
    witness: [1],
  },
  {
    name: 'items removed',
    old: obj({ tags: array({ items: str }) }),
    new: obj({ tags: array({}) }),
    kind: 'ITEMS_REMOVED',
    path: '#/properties/tags',
    compatible: true,
  },
  {
    name: 'items changed in place',
    old: obj({ lines: array({ items: obj({ qty: int }) }) }),
    new: obj({ lines: array({ items: obj({ qty: str }) }) }),
    kind: 'TYPE_CHANGED',
    path: '#/properties/lines/items/properties/qty',
    compatible: false,
    witness: { lines: [{ qty: 2 }] },
  },
  {
    name: 'tuple: closed → open after the prefix',
    old: tuple([str], { items: false }),
    new: tuple([str]),
    kind: 'ADDITIONAL_ITEMS_ADDED',
    path: '#',
    compatible: true,
  },
  {
    name: 'tuple: open → closed after the prefix',
    old: tuple([str]),
    new: tuple([str], { items: false }),
    kind: 'ADDITIONAL_ITEMS_REMOVED',
    path: '#',
    compatible: false,
    witness: ['a', 1],
  },
  {
    name: 'tuple: closed → a schema after the prefix',
    old: tuple([str], { items: false }),
    new: tuple([str], { items: int }),
    kind: 'ADDITIONAL_ITEMS_EXTENDED',
    path: '#',
    compatible: true,
  },
  {
    name: 'tuple: open → a schema after the prefix',
    old: tuple([str]),
    new: tuple([str], { items: int }),
    kind: 'ADDITIONAL_ITEMS_NARROWED',
    path: '#',
    compatible: false,
    witness: ['a', 'b'],
  },
  {
    name: 'tuple: open, a position added',
    old: tuple([str]),
    new: tuple([str, int]),
    kind: 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL',
    path: '#/prefixItems/1',
    compatible: false,
    witness: ['a', 'b'],
  },
  {
    name: 'tuple: open, a position accepting anything added',
    old: tuple([str]),
    new: tuple([str, {}]),
    kind: 'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL',
    path: '#/prefixItems/1',
    compatible: true,
  },
  {
    name: 'tuple: closed, a position added',
    old: tuple([str], { items: false }),
    new: tuple([str, int], { items: false }),
    kind: 'ITEM_ADDED_TO_CLOSED_CONTENT_MODEL',
    path: '#/prefixItems/1',
    compatible: true,
  },
  {
    name: 'tuple: open, a position removed',
    old: tuple([str, int]),
    new: tuple([str]),
    kind: 'ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL',
    path: '#/prefixItems/1',
    compatible: true,
  },
  {
    name: 'tuple: closed, a position removed',
    old: tuple([str, int], { items: false }),
    new: tuple([str], { items: false }),
    kind: 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL',
    path: '#/prefixItems/1',
    compatible: false,
    witness: ['a', 1],
  },
  {
    name: 'tuple: closed, a position declared false removed',
    old: tuple([str, false], { items: false }),
    new: tuple([str], { items: false }),
    kind: 'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL',
    path: '#/prefixItems/1',
    compatible: true,
  },
  {
    name: 'tuple: partially open, a covered position added',
    old: tuple([str], { items: int }),
    new: tuple([str, int], { items: int }),
    kind: 'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    path: '#/prefixItems/1',
    compatible: true,
  },
  {
    name: 'tuple: partially open, an uncovered position added',
    old: tuple([str], { items: int }),
    new: tuple([str, str], { items: int }),
    kind: 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    path: '#/prefixItems/1',
    compatible: false,
    also: ['TYPE_CHANGED #/prefixItems/1'],
    witness: ['a', 1],
  },
  {
    name: 'tuple: partially open, a covered position removed',
    old: tuple([str, int], { items: int }),
    new: tuple([str], { items: int }),
    kind: 'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    path: '#/prefixItems/1',
    compatible: true,
  },
  {
    name: 'tuple: partially open, an uncovered position removed',
    old: tuple([str, str], { items: int }),
    new: tuple([str], { items: int }),
    kind: 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    path: '#/prefixItems/1',
    compatible: false,
    also: ['TYPE_CHANGED #/prefixItems/1'],
    witness: ['a', 'b'],
  },
  ...limitCases('maxItems', 'MAX_ITEMS', (s) => array(s), '#', true, {
    low: 1,
    high: 3,
    between: [1, 2],
    outside: [1, 2, 3, 4],
  }),
  ...limitCases('minItems', 'MIN_ITEMS', (s) => array(s), '#', false, {
    low: 1,
    high: 3,
    between: [1, 2],
    outside: [],
  }),
  {
    name: 'uniqueItems added',
    old: array({}),
    new: array({ uniqueItems: true }),
    kind: 'UNIQUE_ITEMS_ADDED',
    path: '#',
    compatible: false,
    witness: [1, 1],
  },
  {
    name: 'uniqueItems removed',
    old: array({ uniqueItems: true }),
    new: array({ uniqueItems: false }),
    kind: 'UNIQUE_ITEMS_REMOVED',
    path: '#',
    compatible: true,
  },
  {
    name: 'contains added',
    old: array({}),
    new: array({ contains: int }),
    kind: 'CONTAINS_ADDED',
    path: '#',
    compatible: false,
    witness: ['a'],
  },
  {
    name: 'contains removed',
    old: array({ contains: int }),
    new: array({}),
    kind: 'CONTAINS_REMOVED',
    path: '#',
    compatible: true,
  },
];

const nullable = { type: 'null' };
const hasA = { required: ['a'] };
const hasB = { required: ['b'] };

const combined: Case[] = [
  {
    name: 'a schema becomes an anyOf with a branch reading it',
    old: obj({ id: str }),
    new: obj({ id: { anyOf: [str, int] } }),
    kind: 'COMBINED_TYPE_EXTENDED',
    path: '#/properties/id',
    compatible: true,
  },
  {
    name: 'oneOf → anyOf with the same branches',
    old: { oneOf: [str, int] },
    new: { anyOf: [str, int] },
    kind: 'COMBINED_TYPE_EXTENDED',
    path: '#',
    compatible: true,
  },
  {
    name: 'allOf → anyOf with the same branches',
    old: { allOf: [{ type: 'object' }, hasA] },
    new: { anyOf: [{ type: 'object' }, hasA] },
    kind: 'COMBINED_TYPE_EXTENDED',
    path: '#',
    compatible: true,
  },
  {
    name: 'an anyOf beside other keywords removed',
    old: { type: 'object', anyOf: [hasA, hasB] },
    new: { type: 'object' },
    kind: 'COMBINED_TYPE_EXTENDED',
    path: '#',
    compatible: true,
  },
  {
    name: 'anyOf → allOf',
    old: { anyOf: [str, { maxLength: 3 }] },
    new: { allOf: [str, { maxLength: 3 }] },
    kind: 'COMBINED_TYPE_CHANGED',
    path: '#',
    compatible: false,
    witness: 'abcdef',
  },
  {
    name: 'anyOf → oneOf with overlapping branches',
    old: { anyOf: [num, int] },
    new: { oneOf: [num, int] },
    kind: 'COMBINED_TYPE_CHANGED',
    path: '#',
    compatible: false,
    witness: 1,
  },
  {
    name: 'a schema becomes an anyOf with no branch reading it',
    old: str,
    new: { anyOf: [int, nullable] },
    kind: 'COMBINED_TYPE_CHANGED',
    path: '#',
    compatible: false,
    also: ['TYPE_CHANGED #/anyOf/0'],
    witness: 'x',
  },
  {
    name: 'an anyOf beside other keywords added',
    old: { type: 'object' },
    new: { type: 'object', anyOf: [hasA, hasB] },
    kind: 'COMBINED_TYPE_CHANGED',
    path: '#',
    compatible: false,
    witness: {},
  },
  {
    name: 'anyOf branches no longer pair up',
    old: { anyOf: [str, int] },
    new: { anyOf: [str, { type: 'boolean' }] },
    kind: 'COMBINED_TYPE_SUBSCHEMAS_CHANGED',
    path: '#',
    compatible: false,
    also: ['TYPE_CHANGED #/anyOf/0'],
    witness: 5,
  },
  {
    name: 'allOf → anyOf whose branches read no conjunct',
    old: { allOf: [{ type: 'object' }, hasA] },
    new: { anyOf: [{ type: 'array' }, nullable] },
    kind: 'COMBINED_TYPE_SUBSCHEMAS_CHANGED',
    path: '#',
    compatible: false,
    also: ['TYPE_CHANGED #/anyOf/0'],
    witness: { a: 1 },
  },
  {
    name: 'anyOf gains a branch',
    old: obj({ id: { anyOf: [str, int] } }),
    new: obj({ id: { anyOf: [str, int, nullable] } }),
    kind: 'SUM_TYPE_EXTENDED',
    path: '#/properties/id',
    compatible: true,
  },
  {
    name: 'oneOf gains a branch',
    old: { oneOf: [str, int] },
    new: { oneOf: [str, int, nullable] },
    kind: 'SUM_TYPE_EXTENDED',
    path: '#',
    compatible: true,
  },
  {
    name: 'anyOf loses a branch',
    old: obj({ id: { anyOf: [str, int, nullable] } }),
    new: obj({ id: { anyOf: [str, int] } }),
    kind: 'SUM_TYPE_NARROWED',
    path: '#/properties/id',
    compatible: false,
    witness: { id: null },
  },
  {
    name: 'anyOf replaced by one of its branches',
    old: { anyOf: [str, int] },
    new: str,
    kind: 'SUM_TYPE_NARROWED',
    path: '#',
    compatible: false,
    also: ['TYPE_CHANGED #'],
    witness: 4,
  },
  {
    name: 'allOf gains a conjunct',
    old: { allOf: [{ type: 'object' }, hasA] },
    new: { allOf: [{ type: 'object' }, hasA, hasB] },
    kind: 'PRODUCT_TYPE_EXTENDED',
    path: '#',
    compatible: false,
    witness: { a: 1 },
  },
  {
    name: 'allOf added beside other keywords',
    old: { type: 'object' },
    new: { type: 'object', allOf: [hasA] },
    kind: 'PRODUCT_TYPE_EXTENDED',
    path: '#',
    compatible: false,
    witness: {},
  },
  {
    name: 'allOf loses a conjunct',
    old: { allOf: [{ type: 'object' }, hasA, hasB] },
    new: { allOf: [{ type: 'object' }, hasA] },
    kind: 'PRODUCT_TYPE_NARROWED',
    path: '#',
    compatible: true,
  },
  {
    name: 'allOf replaced by one of its conjuncts',
    old: { allOf: [obj({ a: str }), hasA] },
    new: obj({ a: str }),
    kind: 'PRODUCT_TYPE_NARROWED',
    path: '#',
    compatible: true,
  },
];

const negation: Case[] = [
  {
    name: 'not added',
    old: obj({ status: str }),
    new: obj({ status: { type: 'string', not: { const: 'void' } } }),
    kind: 'NOT_TYPE_ADDED',
    path: '#/properties/status',
    compatible: false,
    witness: { status: 'void' },
  },
  {
    name: 'not removed',
    old: obj({ status: { type: 'string', not: { const: 'void' } } }),
    new: obj({ status: str }),
    kind: 'NOT_TYPE_REMOVED',
    path: '#/properties/status',
    compatible: true,
  },
  {
    name: 'not excludes more',
    old: { type: 'string', not: { enum: ['void'] } },
    new: { type: 'string', not: { enum: ['void', 'draft'] } },
    kind: 'NOT_TYPE_EXTENDED',
    path: '#',
    compatible: false,
    witness: 'draft',
  },
  {
    name: 'not excludes less',
    old: { type: 'string', not: { enum: ['void', 'draft'] } },
    new: { type: 'string', not: { enum: ['void'] } },
    kind: 'NOT_TYPE_NARROWED',
    path: '#',
    compatible: true,
  },
];

const unchecked: Case[] = [
  {
    name: 'if/else added',
    old: obj({ kind: str, vat: str }),
    new: obj(
      { kind: str, vat: str },
      { if: obj({ kind: { const: 'consumer' } }), else: { required: ['vat'] } },
    ),
    kind: 'UNCHECKED_KEYWORD_CHANGED',
    path: '#',
    compatible: false,
    also: ['UNCHECKED_KEYWORD_CHANGED #'],
    witness: { kind: 'business' },
  },
  {
    name: 'unevaluatedProperties added',
    old: obj({ a: str }),
    new: obj({ a: str }, { unevaluatedProperties: false }),
    kind: 'UNCHECKED_KEYWORD_CHANGED',
    path: '#',
    compatible: false,
    witness: { a: 'x', b: 1 },
  },
];

const refs: Case[] = [
  {
    name: 'a change under $defs is reported where the value sits in a document',
    old: { $defs: { Qty: int }, ...obj({ lines: array({ items: obj({ qty: { $ref: '#/$defs/Qty' } }) }) }) },
    new: { $defs: { Qty: str }, ...obj({ lines: array({ items: obj({ qty: { $ref: '#/$defs/Qty' } }) }) }) },
    kind: 'TYPE_CHANGED',
    path: '#/properties/lines/items/properties/qty',
    compatible: false,
    witness: { lines: [{ qty: 1 }] },
  },
];

const CASES: Case[] = [
  ...annotations,
  ...types,
  ...strings,
  ...numbers,
  ...enums,
  ...required,
  ...contentModels,
  ...dependencies,
  ...arrays,
  ...combined,
  ...negation,
  ...unchecked,
  ...refs,
];

const validators = new ContractValidators();
const valid = (schema: unknown, doc: unknown) =>
  validators.validateOnce(schema as Record<string, unknown>, doc).length === 0;
const pairs = (list: ReadonlyArray<{ kind: string; path: string }>) =>
  list.map((d) => `${d.kind} ${d.path}`).sort();

describe('every difference kind, as Confluent Schema Registry decides it for JSON Schema', () => {
  for (const c of CASES) {
    test(`${c.name}: ${c.kind} ${c.path} is ${c.compatible ? 'compatible' : 'breaking'}`, () => {
      for (const s of [c.old, c.new]) assert.deepEqual(validators.checkSchema(s), [], 'a valid JSON Schema');
      const found = diffSchemas(c.old, c.new);
      assert.deepEqual(pairs(found), [`${c.kind} ${c.path}`, ...(c.also ?? [])].sort());
      const main = found.find((d) => d.kind === c.kind && d.path === c.path)!;
      assert.equal(main.compatible, c.compatible, `${c.kind} backward-compatible`);
      assert.equal(compareUnderMode(c.old, c.new, 'BACKWARD').compatible, c.compatible, 'the verdict');
      if (c.witness !== undefined) {
        assert.ok(valid(c.old, c.witness), 'the witness is valid under the old schema');
        assert.ok(!valid(c.new, c.witness), 'and refused by the new one: the change really breaks');
      }
    });
  }

  test('every kind in DIFFERENCE_KINDS is produced by at least one case', () => {
    const produced = new Set(CASES.flatMap((c) => diffSchemas(c.old, c.new).map((d) => d.kind)));
    assert.deepEqual(
      DIFFERENCE_KINDS.filter((k) => !produced.has(k)),
      [],
      'kinds no case produces',
    );
    assert.deepEqual(
      DIFFERENCE_KINDS.filter((k) => !CASES.some((c) => c.kind === k)),
      [],
      'kinds no case asserts',
    );
  });

  test('every breaking case shows a document the new schema refuses', () => {
    assert.deepEqual(
      CASES.filter((c) => !c.compatible && c.witness === undefined).map((c) => c.name),
      [],
    );
  });

  test('identical schemas, and open models spelled two ways, differ in nothing', () => {
    for (const c of CASES) assert.deepEqual(diffSchemas(c.new, structuredClone(c.new)), []);
    assert.deepEqual(diffSchemas(open({ a: str }), obj({ a: str }, { additionalProperties: true })), []);
    assert.deepEqual(diffSchemas(open({ a: str }), obj({ a: str }, { additionalProperties: {} })), []);
  });

  test('a schema that is neither an object nor a boolean is refused with its side', () => {
    assert.throws(
      () => diffSchemas([], {}),
      (err: unknown) => err instanceof ValidationError && err.issues[0]?.path === '/old',
    );
    assert.throws(
      () => diffSchemas(obj({ a: str }), obj({ a: { $ref: '#/$defs/Missing' } })),
      (err: unknown) => err instanceof ValidationError && /points at nothing/.test(err.message),
    );
  });
});

const kindsOf = (changes: CompatibilityChange[]) => changes.map((c) => `${c.direction} ${c.kind} ${c.path}`);
const breakingOf = (changes: CompatibilityChange[]) => kindsOf(changes.filter((c) => !c.compatible));

describe('content models under each mode', () => {
  test('open: adding a property breaks BACKWARD only; removing one breaks FORWARD only', () => {
    const before = open({ sku: str });
    const added = open({ sku: str, note: str });
    assert.equal(compareUnderMode(before, added, 'BACKWARD').compatible, false);
    assert.equal(compareUnderMode(before, added, 'FORWARD').compatible, true);
    assert.deepEqual(kindsOf(compareUnderMode(before, added, 'FORWARD').changes), [
      'forward PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL #/properties/note',
    ]);

    const removed = open({});
    assert.equal(compareUnderMode(before, removed, 'BACKWARD').compatible, true);
    const forward = compareUnderMode(before, removed, 'FORWARD');
    assert.equal(forward.compatible, false);
    // old readers still constrain sku while new events may carry anything under that name
    assert.deepEqual(breakingOf(forward.changes), [
      'forward PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL #/properties/sku',
    ]);
    assert.equal(compareUnderMode(before, removed, 'FULL').compatible, false);
  });

  test('closed: adding an optional property keeps BACKWARD but breaks FORWARD; removing one the reverse', () => {
    const before = closed({ sku: str });
    const added = closed({ sku: str, note: str });
    assert.equal(compareUnderMode(before, added, 'BACKWARD').compatible, true);
    const forward = compareUnderMode(before, added, 'FORWARD');
    assert.equal(forward.compatible, false);
    assert.deepEqual(breakingOf(forward.changes), [
      'forward PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL #/properties/note',
    ]);
    assert.equal(compareUnderMode(before, added, 'FULL').compatible, false);

    const removed = closed({});
    assert.deepEqual(breakingOf(compareUnderMode(before, removed, 'BACKWARD').changes), [
      'backward PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL #/properties/sku',
    ]);
    assert.equal(compareUnderMode(before, removed, 'FORWARD').compatible, true);
  });

  test('partially open: a property the rest already covers may come and go under FULL', () => {
    const before = bySchema({ sku: str });
    const added = bySchema({ sku: str, note: str });
    const full = compareUnderMode(before, added, 'FULL');
    assert.equal(full.compatible, true);
    assert.deepEqual(kindsOf(full.changes), [
      'backward PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/note',
      'forward PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/note',
    ]);
    assert.equal(compareUnderMode(added, before, 'FULL').compatible, true);

    const patterned = (p: Record<string, unknown>) => obj(p, { patternProperties: { '^x_': str } });
    assert.equal(compareUnderMode(patterned({}), patterned({ x_note: str }), 'FULL').compatible, true);
    // a name no pattern matches falls to additionalProperties, which is open here
    assert.deepEqual(
      breakingOf(compareUnderMode(patterned({}), patterned({ note: str }), 'BACKWARD').changes),
      ['backward PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL #/properties/note'],
    );
    assert.equal(compareUnderMode(patterned({}), patterned({ x_count: int }), 'FULL').compatible, false);
  });

  test('a property accepting anything may be added to an open model under FULL', () => {
    assert.equal(compareUnderMode(open({}), open({ note: {} }), 'FULL').compatible, true);
    assert.equal(compareUnderMode(open({}), open({ note: str }), 'FULL').compatible, false);
  });
});

describe('modes', () => {
  const v1 = obj({ sku: str, qty: int });
  const widened = obj({ sku: str, qty: num });
  const narrowed = obj({ sku: str, qty: { type: 'integer', minimum: 1 } });

  test('BACKWARD compares new readers with old events, FORWARD the reverse, FULL both', () => {
    assert.equal(compareUnderMode(v1, widened, 'BACKWARD').compatible, true);
    assert.equal(compareUnderMode(v1, widened, 'FORWARD').compatible, false);
    assert.deepEqual(breakingOf(compareUnderMode(v1, widened, 'FORWARD').changes), [
      'forward TYPE_NARROWED #/properties/qty',
    ]);
    assert.equal(compareUnderMode(v1, narrowed, 'BACKWARD').compatible, false);
    assert.equal(compareUnderMode(v1, narrowed, 'FORWARD').compatible, true);
    assert.deepEqual(kindsOf(compareUnderMode(v1, narrowed, 'FORWARD').changes), [
      'forward MINIMUM_REMOVED #/properties/qty',
    ]);
    const full = compareUnderMode(v1, widened, 'FULL');
    assert.equal(full.compatible, false);
    assert.deepEqual(kindsOf(full.changes), [
      'backward TYPE_EXTENDED #/properties/qty',
      'forward TYPE_NARROWED #/properties/qty',
    ]);
    const described = obj({ sku: { ...str, description: 'Stock keeping unit' }, qty: int });
    assert.equal(compareUnderMode(v1, described, 'FULL').compatible, true);
  });

  test('NONE passes everything and still lists every difference', () => {
    const r = compareUnderMode(v1, obj({ sku: int }), 'NONE');
    assert.equal(r.compatible, true);
    assert.deepEqual(kindsOf(r.changes), [
      'backward TYPE_CHANGED #/properties/sku',
      'backward PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL #/properties/qty',
    ]);
    // each difference still says whether it would break BACKWARD
    assert.deepEqual(
      r.changes.map((c) => c.compatible),
      [false, true],
    );
    assert.equal(
      checkCompatibility('NONE', obj({ sku: int }), [{ version: 1, schema: v1 }]).compatible,
      true,
    );
  });

  test('transitive modes against a pair compare just that pair', () => {
    for (const mode of COMPATIBILITY_MODES.filter((m) => m.endsWith('_TRANSITIVE'))) {
      const plain = mode.replace('_TRANSITIVE', '') as (typeof COMPATIBILITY_MODES)[number];
      assert.deepEqual(compareUnderMode(v1, widened, mode), compareUnderMode(v1, widened, plain), mode);
    }
  });

  test('with nothing registered every mode passes', () => {
    for (const mode of COMPATIBILITY_MODES)
      assert.deepEqual(checkCompatibility(mode, v1, []), { compatible: true, changes: [] }, mode);
  });

  // Each step keeps BACKWARD, yet v3 cannot read v1's events: v1 had no note, v3 requires one
  // without a default. Only the transitive mode sees it.
  const noNote = closed({ sku: str });
  const noteWithDefault = closed(
    { sku: str, note: { type: 'string', default: '-' } },
    { required: ['note'] },
  );
  const noteRequired = closed({ sku: str, note: str }, { required: ['note'] });

  test('BACKWARD_TRANSITIVE checks against every registered version, naming the one it breaks', () => {
    const history = [
      { version: 1, schema: noNote },
      { version: 2, schema: noteWithDefault },
    ];
    assert.equal(checkCompatibility('BACKWARD', noteWithDefault, history.slice(0, 1)).compatible, true);
    assert.equal(checkCompatibility('BACKWARD', noteRequired, history).compatible, true);
    const r = checkCompatibility('BACKWARD_TRANSITIVE', noteRequired, history);
    assert.equal(r.compatible, false);
    assert.deepEqual(
      r.changes.filter((c) => !c.compatible).map((c) => `v${c.version} ${c.direction} ${c.kind} ${c.path}`),
      [
        'v1 backward REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/note',
        'v1 backward REQUIRED_ATTRIBUTE_ADDED #/properties/note',
      ],
    );
    assert.ok(r.changes.some((c) => c.version === 2 && c.kind === 'DEFAULT_CHANGED'));
  });

  test('FORWARD_TRANSITIVE checks old readers of every version', () => {
    const history = [
      { version: 1, schema: noteRequired },
      { version: 2, schema: noteWithDefault },
    ];
    assert.equal(checkCompatibility('FORWARD', noteWithDefault, history.slice(0, 1)).compatible, true);
    assert.equal(checkCompatibility('FORWARD', noNote, history).compatible, true);
    const r = checkCompatibility('FORWARD_TRANSITIVE', noNote, history);
    assert.equal(r.compatible, false);
    assert.deepEqual(
      r.changes.filter((c) => !c.compatible).map((c) => `v${c.version} ${c.direction} ${c.kind}`),
      ['v1 forward REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL', 'v1 forward REQUIRED_ATTRIBUTE_ADDED'],
    );
  });

  test('FULL_TRANSITIVE checks both directions against every version', () => {
    const v1p = bySchema({ sku: str });
    const v2p = bySchema({ sku: str, note: { type: 'string', default: '-' } });
    const withDefault = { ...v2p, required: ['note'] };
    const withoutDefault = { ...bySchema({ sku: str, note: str }), required: ['note'] };
    const history = [
      { version: 1, schema: v1p },
      { version: 2, schema: withDefault },
    ];
    assert.equal(checkCompatibility('FULL', withDefault, history.slice(0, 1)).compatible, true);
    assert.equal(checkCompatibility('FULL', withoutDefault, history).compatible, true);
    const r = checkCompatibility('FULL_TRANSITIVE', withoutDefault, history);
    assert.equal(r.compatible, false);
    assert.deepEqual(
      r.changes.filter((c) => !c.compatible).map((c) => `v${c.version} ${c.direction} ${c.kind} ${c.path}`),
      ['v1 backward REQUIRED_ATTRIBUTE_ADDED #/properties/note'],
    );
    assert.ok(r.changes.some((c) => c.version === 1 && c.direction === 'forward'));
    assert.ok(r.changes.some((c) => c.version === 2 && c.direction === 'forward'));
  });
});
