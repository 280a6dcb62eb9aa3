/**
 * The vocabulary of schema differences, named as Confluent Schema Registry names them for JSON
 * Schema so that people who know that registry read our reports without a glossary.
 *
 * Each kind has one fixed answer to "can a reader using the new schema still read every document
 * written with the old one?" (backward compatibility). Forward compatibility is the same question
 * with the schemas swapped, so it needs no second table.
 */
export const BACKWARD_COMPATIBLE = {
  // annotations: they never change which documents are valid
  ID_CHANGED: true,
  TITLE_CHANGED: true,
  DESCRIPTION_CHANGED: true,
  DEFAULT_CHANGED: true,
  ANNOTATION_CHANGED: true,

  // the set of JSON types a value may have (integer counts as a part of number)
  TYPE_EXTENDED: true,
  TYPE_NARROWED: false,
  TYPE_CHANGED: false,

  // strings
  MAX_LENGTH_ADDED: false,
  MAX_LENGTH_REMOVED: true,
  MAX_LENGTH_INCREASED: true,
  MAX_LENGTH_DECREASED: false,
  MIN_LENGTH_ADDED: false,
  MIN_LENGTH_REMOVED: true,
  MIN_LENGTH_INCREASED: false,
  MIN_LENGTH_DECREASED: true,
  PATTERN_ADDED: false,
  PATTERN_REMOVED: true,
  PATTERN_CHANGED: false,
  // Baton asserts formats (date-time, uri, …), so they constrain like a pattern does
  FORMAT_ADDED: false,
  FORMAT_REMOVED: true,
  FORMAT_CHANGED: false,

  // numbers
  MAXIMUM_ADDED: false,
  MAXIMUM_REMOVED: true,
  MAXIMUM_INCREASED: true,
  MAXIMUM_DECREASED: false,
  MINIMUM_ADDED: false,
  MINIMUM_REMOVED: true,
  MINIMUM_INCREASED: false,
  MINIMUM_DECREASED: true,
  EXCLUSIVE_MAXIMUM_ADDED: false,
  EXCLUSIVE_MAXIMUM_REMOVED: true,
  EXCLUSIVE_MAXIMUM_INCREASED: true,
  EXCLUSIVE_MAXIMUM_DECREASED: false,
  EXCLUSIVE_MINIMUM_ADDED: false,
  EXCLUSIVE_MINIMUM_REMOVED: true,
  EXCLUSIVE_MINIMUM_INCREASED: false,
  EXCLUSIVE_MINIMUM_DECREASED: true,
  MULTIPLE_OF_ADDED: false,
  MULTIPLE_OF_REMOVED: true,
  /** The new divisor is a multiple of the old one (2 → 4): fewer values pass. */
  MULTIPLE_OF_EXPANDED: false,
  /** The old divisor is a multiple of the new one (4 → 2): every old value still passes. */
  MULTIPLE_OF_REDUCED: true,
  MULTIPLE_OF_CHANGED: false,

  // enum and const (a const is an enum of one value; no enum means every value)
  ENUM_ARRAY_EXTENDED: true,
  ENUM_ARRAY_NARROWED: false,
  ENUM_ARRAY_CHANGED: false,

  // objects: required names
  REQUIRED_ATTRIBUTE_ADDED: false,
  /** A reader fills the default in, so documents without the property still read. */
  REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED: true,
  REQUIRED_ATTRIBUTE_REMOVED: true,

  // objects: properties against the content model (open, closed or partially open)
  PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL: false,
  /** The added property accepts anything (`{}` or `true`), as the open model did under that name. */
  PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL: true,
  REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL: false,
  REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL: true,
  OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL: true,
  PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL: true,
  PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL: false,
  /** The removed property was declared `false`, so old documents never carried it. */
  PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL: true,
  PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: true,
  PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: false,
  PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: true,
  PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: false,

  // objects: the rest of the content model
  /** additionalProperties went from false to true (or absent). */
  ADDITIONAL_PROPERTIES_ADDED: true,
  /** additionalProperties went from true (or absent) to false. */
  ADDITIONAL_PROPERTIES_REMOVED: false,
  /** additionalProperties went from false to a schema, or from a schema to true. */
  ADDITIONAL_PROPERTIES_EXTENDED: true,
  /** additionalProperties went from true to a schema, or from a schema to false. */
  ADDITIONAL_PROPERTIES_NARROWED: false,
  /** A patternProperties entry added or removed so that matching names accept at least what they did. */
  PATTERN_PROPERTIES_EXTENDED: true,
  /** A patternProperties entry added or removed so that matching names accept less than they did. */
  PATTERN_PROPERTIES_NARROWED: false,
  PROPERTY_NAMES_ADDED: false,
  PROPERTY_NAMES_REMOVED: true,
  MAX_PROPERTIES_ADDED: false,
  MAX_PROPERTIES_REMOVED: true,
  MAX_PROPERTIES_INCREASED: true,
  MAX_PROPERTIES_DECREASED: false,
  MIN_PROPERTIES_ADDED: false,
  MIN_PROPERTIES_REMOVED: true,
  MIN_PROPERTIES_INCREASED: false,
  MIN_PROPERTIES_DECREASED: true,

  // objects: dependentRequired / dependentSchemas (and draft-07 dependencies)
  DEPENDENCY_ARRAY_ADDED: false,
  DEPENDENCY_ARRAY_REMOVED: true,
  DEPENDENCY_ARRAY_EXTENDED: false,
  DEPENDENCY_ARRAY_NARROWED: true,
  DEPENDENCY_ARRAY_CHANGED: false,
  DEPENDENCY_SCHEMA_ADDED: false,
  DEPENDENCY_SCHEMA_REMOVED: true,

  // arrays: one schema for every item (items without prefixItems)
  ITEMS_ADDED: false,
  ITEMS_REMOVED: true,
  // arrays: tuples (prefixItems), with `items` as the content model after the prefix
  ADDITIONAL_ITEMS_ADDED: true,
  ADDITIONAL_ITEMS_REMOVED: false,
  ADDITIONAL_ITEMS_EXTENDED: true,
  ADDITIONAL_ITEMS_NARROWED: false,
  ITEM_ADDED_TO_OPEN_CONTENT_MODEL: false,
  ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL: true,
  ITEM_ADDED_TO_CLOSED_CONTENT_MODEL: true,
  ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL: true,
  ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL: false,
  ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL: true,
  ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: true,
  ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: false,
  ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: true,
  ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: false,
  MAX_ITEMS_ADDED: false,
  MAX_ITEMS_REMOVED: true,
  MAX_ITEMS_INCREASED: true,
  MAX_ITEMS_DECREASED: false,
  MIN_ITEMS_ADDED: false,
  MIN_ITEMS_REMOVED: true,
  MIN_ITEMS_INCREASED: false,
  MIN_ITEMS_DECREASED: true,
  UNIQUE_ITEMS_ADDED: false,
  UNIQUE_ITEMS_REMOVED: true,
  CONTAINS_ADDED: false,
  CONTAINS_REMOVED: true,

  // allOf (product types), anyOf and oneOf (sum types)
  /**
   * A plain schema became an anyOf/oneOf with a branch that reads it, an anyOf/oneOf beside other
   * keywords went away, or an allOf/oneOf became an anyOf whose branches read the old ones.
   */
  COMBINED_TYPE_EXTENDED: true,
  /** The combining keyword changed to a narrower one (anyOf → allOf, anyOf → oneOf, …), or a combination appeared that old documents may not satisfy. */
  COMBINED_TYPE_CHANGED: false,
  /** Branches could not be paired so that each new one reads an old one. */
  COMBINED_TYPE_SUBSCHEMAS_CHANGED: false,
  SUM_TYPE_EXTENDED: true,
  SUM_TYPE_NARROWED: false,
  PRODUCT_TYPE_EXTENDED: false,
  PRODUCT_TYPE_NARROWED: true,

  // not
  NOT_TYPE_ADDED: false,
  NOT_TYPE_REMOVED: true,
  /** The excluded schema accepts more, so the schema accepts less. */
  NOT_TYPE_EXTENDED: false,
  NOT_TYPE_NARROWED: true,

  /**
   * A keyword this checker does not reason about (if/then/else, unevaluatedProperties,
   * minContains, …) changed. Refused rather than guessed.
   */
  UNCHECKED_KEYWORD_CHANGED: false,
} as const satisfies Record<string, boolean>;

export type DifferenceKind = keyof typeof BACKWARD_COMPATIBLE;

export const DIFFERENCE_KINDS = Object.keys(BACKWARD_COMPATIBLE) as DifferenceKind[];

/** One difference between two schemas. */
export interface SchemaDifference {
  kind: DifferenceKind;
  /**
   * Where, as a JSON pointer fragment (`#/properties/qty`): the location in the new schema, or in
   * the old one for something removed. A `$ref` is followed, so the path is where the value sits in
   * a document, not where its definition sits under `$defs`.
   */
  path: string;
  /** Whether a reader with the new schema still reads documents written with the old one. */
  compatible: boolean;
  /** The values involved, for people: `64 → 32`. */
  detail?: string;
}
