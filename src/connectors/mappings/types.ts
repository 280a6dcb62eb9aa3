/**
 * Glossary of the mapping nouns.
 *
 * - **mapping**: one versioned JSONata expression that turns a value of one shape (`from`) into
 *   another (`to`), kept in `mappings/<name>.v<version>.json` with the fixtures that pin its behaviour.
 * - **format**: an external payload that Baton does not own (`shopify/orders-create`, `pos/csv-sale`).
 * - **contract**: an event type of the catalogue (`order.created`); a mapping to a contract has its
 *   output checked against the contract schema.
 * - **request**: a call to a system of record (`erp/sales-order`), optionally with its own JSON Schema.
 * - **fixture**: an input with the output it must produce (or the error it must raise).
 */

/** What a mapping reads. */
export type MappingSource = { format: string } | { contract: string };

/** What a mapping produces. */
export type MappingTarget =
  | { contract: string; version?: number }
  | { request: string; schema?: Record<string, unknown> };

export interface MappingFixture {
  name: string;
  input: unknown;
  /** The output the expression must produce; absent when `expectedError` is given. */
  expected?: unknown;
  /** Text the mapping error must contain: a fixture for input the mapping refuses. */
  expectedError?: string;
}

export interface Mapping {
  name: string;
  version: number;
  description?: string;
  from: MappingSource;
  to: MappingTarget;
  /** The JSONata expression; in the file either one string or an array of lines. */
  expression: string;
  fixtures: MappingFixture[];
  /** The file it was read from, when it came from one. */
  file?: string;
}

/** `name v3`, as errors and reports name a mapping. */
export const mappingLabel = (m: Pick<Mapping, 'name' | 'version'>) => `${m.name} v${m.version}`;

/** What a target is called in messages: `contract order.created`, `request erp/sales-order`. */
export const targetLabel = (t: MappingTarget) =>
  'contract' in t ? `contract ${t.contract}` : `request ${t.request}`;
