/**
 * allOf (product types) and anyOf/oneOf (sum types).
 *
 * A sum type stays readable when every old branch is read by its own new branch; a product type
 * when every new conjunct reads documents of its own old conjunct. oneOf is treated as anyOf: a
 * new branch overlapping an old one is not detected.
 */
import type { SchemaDifference } from './kinds.js';
import {
  allCompatible,
  breaking,
  COMBINERS,
  type Combiner,
  type Comparer,
  child,
  type Differences,
  pureCombination,
  type SchemaNode,
} from './schema.js';

/**
 * Schemas that are nothing but a combination on at least one side. Returns false when neither is,
 * so the caller compares keyword by keyword.
 */
export function comparePureCombinations(
  c: Comparer,
  o: SchemaNode,
  n: SchemaNode,
  path: string,
  out: Differences,
): boolean {
  const before = pureCombination(o);
  const after = pureCombination(n);
  if (!before && !after) return false;
  if (before && after) {
    if (before.keyword === after.keyword)
      compareBranches(c, before.keyword, before.branches, after.branches, path, out);
    else if (after.keyword === 'anyOf') widenToAnyOf(c, before, after.branches, path, out);
    else out.add('COMBINED_TYPE_CHANGED', path, `${before.keyword} → ${after.keyword}`);
    return true;
  }
  if (after) {
    const tried = after.branches.map((s, j) => c.compare(o, s, child(path, after.keyword, j)));
    if (after.keyword === 'allOf') {
      // old documents must satisfy every new conjunct
      if (!tried.every(allCompatible)) out.add('PRODUCT_TYPE_EXTENDED', path, 'became an allOf');
      out.addAll(tried.flat());
    } else {
      const reading = tried.find(allCompatible);
      if (reading) {
        out.add('COMBINED_TYPE_EXTENDED', path, `became an ${after.keyword} of ${after.branches.length}`);
        out.addAll(reading);
      } else {
        out.add(
          'COMBINED_TYPE_CHANGED',
          path,
          `became an ${after.keyword} with no branch reading the old schema`,
        );
        out.addAll(closest(tried));
      }
    }
    return true;
  }
  const b = before!;
  const tried = b.branches.map((s) => c.compare(s, n, path));
  if (b.keyword === 'allOf') {
    // one old conjunct the new schema reads is enough: old documents satisfied all of them
    const reading = tried.find(allCompatible);
    if (reading) {
      out.add('PRODUCT_TYPE_NARROWED', path, 'allOf replaced by one schema');
      out.addAll(reading);
    } else {
      out.add('COMBINED_TYPE_CHANGED', path, 'allOf replaced by a schema none of its parts satisfies');
      out.addAll(closest(tried));
    }
  } else {
    // documents of every old branch must still read
    if (!tried.every(allCompatible))
      out.add('SUM_TYPE_NARROWED', path, `${b.keyword} replaced by one schema`);
    out.addAll(tried.flat());
  }
  return true;
}

/**
 * allOf or oneOf becoming anyOf. A document that matched exactly one oneOf branch matches at least
 * one, so the branches pair up as for anyOf. A document that matched every allOf conjunct is read
 * as soon as one new branch reads one old conjunct.
 */
function widenToAnyOf(
  c: Comparer,
  before: { keyword: Combiner; branches: SchemaNode[] },
  after: SchemaNode[],
  path: string,
  out: Differences,
): void {
  const detail = `${before.keyword} → anyOf`;
  if (before.keyword === 'oneOf') {
    out.add('COMBINED_TYPE_EXTENDED', path, detail);
    compareBranches(c, 'anyOf', before.branches, after, path, out);
    return;
  }
  const tried = before.branches.flatMap((s) => after.map((t, j) => c.compare(s, t, child(path, 'anyOf', j))));
  const reading = tried.find(allCompatible);
  if (reading) {
    out.add('COMBINED_TYPE_EXTENDED', path, detail);
    out.addAll(reading);
  } else {
    out.add('COMBINED_TYPE_SUBSCHEMAS_CHANGED', path, `${detail}, no branch reads a conjunct`);
    out.addAll(closest(tried));
  }
}

/** allOf/anyOf/oneOf beside other keywords: each combining keyword is compared on its own. */
export function compareCombinerKeywords(
  c: Comparer,
  o: Record<string, unknown>,
  n: Record<string, unknown>,
  path: string,
  out: Differences,
): void {
  for (const keyword of COMBINERS) {
    const before = Array.isArray(o[keyword]) ? (o[keyword] as SchemaNode[]) : undefined;
    const after = Array.isArray(n[keyword]) ? (n[keyword] as SchemaNode[]) : undefined;
    if (before && after) compareBranches(c, keyword, before, after, path, out);
    else if (after)
      out.add(
        keyword === 'allOf' ? 'PRODUCT_TYPE_EXTENDED' : 'COMBINED_TYPE_CHANGED',
        path,
        `${keyword} added`,
      );
    else if (before)
      out.add(
        keyword === 'allOf' ? 'PRODUCT_TYPE_NARROWED' : 'COMBINED_TYPE_EXTENDED',
        path,
        `${keyword} removed`,
      );
  }
}

function compareBranches(
  c: Comparer,
  keyword: Combiner,
  before: SchemaNode[],
  after: SchemaNode[],
  path: string,
  out: Differences,
): void {
  const detail = `${keyword} of ${before.length} → ${after.length}`;
  const memo = new Map<string, SchemaDifference[]>();
  const diff = (i: number, j: number) => {
    const key = `${i}:${j}`;
    let d = memo.get(key);
    if (!d) {
      d = c.compare(before[i], after[j], child(path, keyword, j));
      memo.set(key, d);
    }
    return d;
  };
  const sum = keyword !== 'allOf';
  // sum: each old branch needs a new one reading it; product: each new conjunct needs an old one it reads
  if (sum ? after.length < before.length : after.length > before.length) {
    out.add(sum ? 'SUM_TYPE_NARROWED' : 'PRODUCT_TYPE_EXTENDED', path, detail);
    return;
  }
  const rows = sum ? before.length : after.length;
  const cols = sum ? after.length : before.length;
  const pair = (row: number, col: number) => (sum ? diff(row, col) : diff(col, row));
  const assigned = maxMatching(rows, cols, (r, k) => allCompatible(pair(r, k)));
  if (assigned.every((col) => col !== undefined)) {
    if (before.length !== after.length)
      out.add(sum ? 'SUM_TYPE_EXTENDED' : 'PRODUCT_TYPE_NARROWED', path, detail);
    assigned.forEach((col, row) => {
      out.addAll(pair(row, col!));
    });
    return;
  }
  out.add('COMBINED_TYPE_SUBSCHEMAS_CHANGED', path, detail);
  assigned.forEach((col, row) => {
    out.addAll(
      col !== undefined ? pair(row, col) : closest(Array.from({ length: cols }, (_, k) => pair(row, k))),
    );
  });
}

/** The comparison with the fewest breaking changes: the likeliest intended counterpart. */
function closest(tried: SchemaDifference[][]): SchemaDifference[] {
  let best: SchemaDifference[] = [];
  let fewest = Number.POSITIVE_INFINITY;
  for (const d of tried)
    if (breaking(d) < fewest) {
      best = d;
      fewest = breaking(d);
    }
  return best;
}

/** A maximum bipartite matching (augmenting paths); `result[row]` is the column paired with it. */
function maxMatching(rows: number, cols: number, fits: (row: number, col: number) => boolean) {
  const owner: Array<number | undefined> = new Array(cols).fill(undefined);
  const augment = (row: number, seen: boolean[]): boolean => {
    for (let col = 0; col < cols; col++) {
      if (seen[col] || !fits(row, col)) continue;
      seen[col] = true;
      const current = owner[col];
      if (current === undefined || augment(current, seen)) {
        owner[col] = row;
        return true;
      }
    }
    return false;
  };
  for (let row = 0; row < rows; row++) augment(row, new Array(cols).fill(false));
  const result: Array<number | undefined> = new Array(rows).fill(undefined);
  owner.forEach((row, col) => {
    if (row !== undefined) result[row] = col;
  });
  return result;
}
