/**
 * Decision tables in the DMN 1.3 model, as plain JSON-ready data. Tables are values: rule-set
 * versions, drafts and regional overrides are kept as whole tables (or definitions) side by side,
 * never as edits applied in place, so a table once evaluated is never changed under a run.
 */

/** How the matching rules of a table make its result (DMN 1.3, 8.2.11). */
export type HitPolicy = 'UNIQUE' | 'FIRST' | 'PRIORITY' | 'ANY' | 'COLLECT' | 'RULE ORDER' | 'OUTPUT ORDER';

export const hitPolicies: readonly HitPolicy[] = [
  'UNIQUE',
  'FIRST',
  'PRIORITY',
  'ANY',
  'COLLECT',
  'RULE ORDER',
  'OUTPUT ORDER',
];

/** The built-in aggregators of a COLLECT table with a single output. */
export type Aggregation = 'SUM' | 'MIN' | 'MAX' | 'COUNT';

export const aggregations: readonly Aggregation[] = ['SUM', 'MIN', 'MAX', 'COUNT'];

/** The FEEL types a column may declare; every input value is checked against its type before any rule is tested. */
export type TypeRef = 'string' | 'number' | 'boolean' | 'date';

export const typeRefs: readonly TypeRef[] = ['string', 'number', 'boolean', 'date'];

/** A value an output may take: dates are `YYYY-MM-DD` strings. */
export type OutputValue = string | number | boolean;

export interface InputClause {
  id: string;
  /** The column heading people read. */
  label: string;
  /** A FEEL expression over the facts, for example `order.total`. */
  expression: string;
  typeRef: TypeRef;
}

export interface OutputClause {
  id: string;
  /** The key of this output in the result. */
  name: string;
  label?: string;
  typeRef: TypeRef;
  /**
   * The values the output may take, highest priority first: PRIORITY and OUTPUT ORDER rank the
   * matching rules by them, and a rule producing anything else is an error.
   */
  allowedValues?: OutputValue[];
}

export interface Rule {
  id: string;
  description?: string;
  /** One FEEL unary test per input, in input order; `-` matches anything. */
  inputEntries: string[];
  /** One FEEL expression per output, in output order; it may use the facts. */
  outputEntries: string[];
}

/** A DMN decision whose logic is a decision table. `id` is the decision's id. */
export interface DecisionTable {
  id: string;
  name: string;
  description?: string;
  /** The version recorded in the journal; when absent, a hash of the table's content stands in. */
  version?: string | number;
  /** The id of the `decisionTable` element, kept so modelers round-trip. */
  tableId?: string;
  hitPolicy: HitPolicy;
  /** Only with COLLECT and a single output. */
  aggregation?: Aggregation;
  inputs: InputClause[];
  outputs: OutputClause[];
  rules: Rule[];
}

/** A DMN file: one `definitions` element holding any number of decisions. */
export interface Definitions {
  id: string;
  name: string;
  /** The DMN `namespace` attribute identifying the model. */
  namespace: string;
  decisions: DecisionTable[];
}

/** A single hit's outputs keyed by output name. */
export type OutputRecord = Record<string, unknown>;

/**
 * The result of a table by hit policy: one record or `null` (UNIQUE, FIRST, PRIORITY, ANY), a list
 * of records (COLLECT, RULE ORDER, OUTPUT ORDER), or the aggregate of COLLECT with an aggregation.
 */
export type DecisionOutputs = OutputRecord | OutputRecord[] | number | string | null;

export const isSingleHit = (p: HitPolicy): boolean =>
  p === 'UNIQUE' || p === 'FIRST' || p === 'PRIORITY' || p === 'ANY';
