/**
 * Positional parameters of a query built piece by piece: `add(value)` keeps the value and returns
 * its placeholder (`$1`, `$2`, …), so conditions can be appended in any order.
 */
export function paramList(): { values: unknown[]; add: (value: unknown) => string } {
  const values: unknown[] = [];
  return {
    values,
    add: (value) => {
      values.push(value);
      return `$${values.length}`;
    },
  };
}
