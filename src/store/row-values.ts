/**
 * Reading column values into records, the same for both drivers: NULL becomes absent, JSON columns
 * hold the text `JSON.stringify` wrote.
 */

/** A JSON column's value, or undefined for NULL. */
export const parse = (v: unknown): unknown =>
  v === null || v === undefined ? undefined : JSON.parse(v as string);

/** A nullable column's value, or undefined for NULL. */
export const opt = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : (v as T));

/** Drops the members that are undefined, so records carry no `key: undefined` noise. */
export function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}
