/**
 * Keywords on arrays. Without `prefixItems`, `items` is the schema of every item. With it (in
 * either schema) the array is a tuple: positions are compared one by one, and `items` is the
 * content model of the positions after the prefix, like additionalProperties is for objects.
 */
import { compareRest, coverAdded, coverRemoved, restModel } from './content-model.js';
import { compareOptionalSchema } from './objects.js';
import { compareLimit } from './scalars.js';
import { acceptsAnything, type Comparer, child, type Differences, type SchemaObject } from './schema.js';

export const arrayKeywords = new Set([
  'items',
  'prefixItems',
  'maxItems',
  'minItems',
  'uniqueItems',
  'contains',
]);

export function compareArrays(
  c: Comparer,
  o: SchemaObject,
  n: SchemaObject,
  path: string,
  out: Differences,
): void {
  if (Array.isArray(o.prefixItems) || Array.isArray(n.prefixItems)) compareTuple(c, o, n, path, out);
  else if (acceptsAnything(o.items) && !acceptsAnything(n.items)) out.add('ITEMS_ADDED', path);
  else if (!acceptsAnything(o.items) && acceptsAnything(n.items)) out.add('ITEMS_REMOVED', path);
  else if (!acceptsAnything(o.items)) out.addAll(c.compare(o.items, n.items, child(path, 'items')));
  compareLimit('maxItems', 'MAX_ITEMS', o, n, path, out);
  compareLimit('minItems', 'MIN_ITEMS', o, n, path, out);
  if (o.uniqueItems !== true && n.uniqueItems === true) out.add('UNIQUE_ITEMS_ADDED', path);
  if (o.uniqueItems === true && n.uniqueItems !== true) out.add('UNIQUE_ITEMS_REMOVED', path);
  compareOptionalSchema(c, 'contains', o, n, path, out);
}

function compareTuple(c: Comparer, o: SchemaObject, n: SchemaObject, path: string, out: Differences) {
  const before = Array.isArray(o.prefixItems) ? o.prefixItems : [];
  const after = Array.isArray(n.prefixItems) ? n.prefixItems : [];
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    const p = child(path, 'prefixItems', i);
    if (i < before.length && i < after.length) {
      out.addAll(c.compare(before[i], after[i], p));
    } else if (i < after.length) {
      // position i of an old document was governed by the old `items`
      const model = restModel(o.items);
      if (model.kind === 'open')
        out.add(
          acceptsAnything(after[i])
            ? 'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL'
            : 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL',
          p,
        );
      else if (model.kind === 'closed') out.add('ITEM_ADDED_TO_CLOSED_CONTENT_MODEL', p);
      else {
        const { covered, differences } = coverAdded(c, model.schemas, after[i], p);
        out.add(
          covered
            ? 'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
            : 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
          p,
        );
        out.addAll(differences);
      }
    } else {
      const model = restModel(n.items);
      if (model.kind === 'open') out.add('ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL', p);
      else if (model.kind === 'closed')
        out.add(
          before[i] === false
            ? 'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL'
            : 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL',
          p,
        );
      else {
        const { covered, differences } = coverRemoved(c, before[i], model.schemas, p);
        out.add(
          covered
            ? 'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
            : 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
          p,
        );
        out.addAll(differences);
      }
    }
  }
  compareRest(
    c,
    o.items,
    n.items,
    path,
    child(path, 'items'),
    {
      added: 'ADDITIONAL_ITEMS_ADDED',
      removed: 'ADDITIONAL_ITEMS_REMOVED',
      extended: 'ADDITIONAL_ITEMS_EXTENDED',
      narrowed: 'ADDITIONAL_ITEMS_NARROWED',
    },
    out,
  );
}
