/**
 * The FEEL seam: feelin evaluates expressions and unary tests, and this file makes its values
 * strict. feelin compares mismatched types loosely (`"5" < 10` is true), so every value entering a
 * table is checked against its declared type first, and literals in rules are checked against
 * their column's type when the table is loaded.
 */
import { date, evaluate, FeelDate, parseUnaryTests } from 'feelin';
import type { OutputValue, TypeRef } from './model.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** How a value reads in an error message: `the string "5000"`, `the number 12`, `a list`. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (v instanceof FeelDate) return `the date ${String(v)}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

const article = (t: TypeRef) => (t === 'string' ? 'a string' : t === 'number' ? 'a number' : `a ${t}`);

/**
 * The FEEL value of an input of type `typeRef`, or why `value` is not one. Dates come as
 * `YYYY-MM-DD` strings (the facts are JSON) or as FEEL dates computed by the input expression.
 */
export function toFeelInput(value: unknown, typeRef: TypeRef): { value: unknown } | { problem: string } {
  const wrong = { problem: `must be ${article(typeRef)}, got ${describeValue(value)}` };
  switch (typeRef) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? { value } : wrong;
    case 'string':
      return typeof value === 'string' ? { value } : wrong;
    case 'boolean':
      return typeof value === 'boolean' ? { value } : wrong;
    case 'date': {
      if (value instanceof FeelDate) return { value };
      const d = typeof value === 'string' && ISO_DATE.test(value) ? date(value) : null;
      return d ? { value: d } : { problem: `must be a date (YYYY-MM-DD), got ${describeValue(value)}` };
    }
  }
}

/** The JSON form of an output value of type `typeRef` (dates as `YYYY-MM-DD`), or why it is not one. */
export function fromFeelOutput(value: unknown, typeRef: TypeRef): { value: unknown } | { problem: string } {
  if (value === null || value === undefined) return { value: null };
  if (typeRef === 'date') {
    if (value instanceof FeelDate) return { value: String(value) };
    if (typeof value === 'string' && ISO_DATE.test(value) && date(value)) return { value };
    return { problem: `must be a date, got ${describeValue(value)}` };
  }
  return toFeelInput(value, typeRef);
}

/** A value of each type, for trying an entry out when the table is loaded. */
export function sampleOf(typeRef: TypeRef): unknown {
  switch (typeRef) {
    case 'number':
      return 0;
    case 'string':
      return '';
    case 'boolean':
      return false;
    case 'date':
      return date('2000-01-01');
  }
}

type LiteralKind = TypeRef | 'null' | 'time' | 'date and time' | 'duration';

/**
 * The types of the literals a unary test compares the input with: `< 100` compares with a number,
 * `"gold","silver"` with strings, `[date("2024-01-01")..date("2024-12-31")]` with dates. Tests
 * built from expressions or variables compare with values known only at evaluation; none are listed.
 */
export function comparedLiterals(entry: string): LiteralKind[] {
  const kinds: LiteralKind[] = [];
  const visit = (node: { firstChild: Node | null }) => {
    for (let c = node.firstChild; c; c = c.nextSibling) {
      switch (c.type.name) {
        case 'PositiveUnaryTests':
        case 'PositiveUnaryTest':
        case 'SimplePositiveUnaryTest':
        case 'Interval':
          visit(c);
          break;
        case 'StringLiteral':
          kinds.push('string');
          break;
        case 'NumericLiteral':
          kinds.push('number');
          break;
        case 'BooleanLiteral':
          kinds.push('boolean');
          break;
        case 'null':
          kinds.push('null');
          break;
        case 'DateTimeLiteral': {
          const ctor = c.firstChild;
          const name = ctor ? entry.slice(ctor.from, ctor.to).replace(/\s+/g, ' ') : '';
          if (name === 'date' || name === 'time' || name === 'date and time' || name === 'duration')
            kinds.push(name);
          break;
        }
      }
    }
  };
  visit(parseUnaryTests(entry, {}, undefined).topNode as unknown as Node);
  return kinds;
}

interface Node {
  type: { name: string };
  from: number;
  to: number;
  firstChild: Node | null;
  nextSibling: Node | null;
}

/** The values of a DMN `outputValues` text such as `"approve","review","reject"`. */
export function parseValueList(text: string): unknown[] {
  const { value } = evaluate(`[${text}]`, {});
  return Array.isArray(value) ? value.map((v) => (v instanceof FeelDate ? String(v) : v)) : [];
}

/** The FEEL literal of an allowed value, for writing `outputValues`. */
export function feelLiteral(v: OutputValue, typeRef: TypeRef): string {
  if (typeRef === 'date') return `date(${JSON.stringify(String(v))})`;
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}
