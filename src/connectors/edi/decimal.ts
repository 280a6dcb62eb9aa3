/**
 * Decimal arithmetic on amount strings ("54.00", "-3.5"), exact to four fraction digits, so
 * invoice lines and totals never pass through binary floating point.
 */

const SCALE = 4;
const UNIT = 10n ** BigInt(SCALE);

/** A decimal string as an integer count of 1/10000. */
export function toUnits(value: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,4}))?$/.exec(value.trim());
  if (!m) throw new RangeError(`"${value}" is not a decimal with at most four fraction digits`);
  const units = BigInt(m[2]!) * UNIT + BigInt((m[3] ?? '').padEnd(SCALE, '0'));
  return m[1] === '-' ? -units : units;
}

/** Units back to a decimal string with at least `minFraction` fraction digits. */
export function fromUnits(units: bigint, minFraction = 2): string {
  const sign = units < 0n ? '-' : '';
  const abs = units < 0n ? -units : units;
  let fraction = String(abs % UNIT).padStart(SCALE, '0');
  while (fraction.length > minFraction && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return `${sign}${abs / UNIT}${fraction ? `.${fraction}` : ''}`;
}

export const isDecimal = (value: string): boolean => /^-?\d+(\.\d{1,4})?$/.test(value.trim());

/** quantity × price, rounded half away from zero to four fraction digits. */
export function times(quantity: string, price: string): bigint {
  const product = toUnits(quantity) * toUnits(price);
  const half = product < 0n ? -UNIT / 2n : UNIT / 2n;
  return (product + half) / UNIT;
}

/** An X12 N2 amount (implied two decimals, e.g. TDS01 "265680") as units. */
export const fromImpliedCents = (value: string): bigint => BigInt(value) * (UNIT / 100n);

/** Units as an X12 N2 amount (implied two decimals). */
export const toImpliedCents = (units: bigint): string => String(units / (UNIT / 100n));
