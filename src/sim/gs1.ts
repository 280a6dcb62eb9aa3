/**
 * GS1 identifiers (GTIN-13, GLN, SSCC-18) with their mod-10 check digit, so downstream validation
 * of the simulated data behaves as it would on real master data.
 */

/** The GS1 check digit of a string of digits that does not yet carry one. */
export function gs1CheckDigit(digits: string): number {
  let sum = 0;
  // weights alternate 3, 1, … starting from the rightmost digit
  for (let i = 0; i < digits.length; i++) {
    const d = digits.charCodeAt(digits.length - 1 - i) - 48;
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when `code` is all digits and its last digit is the correct check digit. */
export function hasValidCheckDigit(code: string): boolean {
  return /^\d{2,}$/.test(code) && gs1CheckDigit(code.slice(0, -1)) === Number(code.slice(-1));
}

function withCheck(body: string, length: number): string {
  if (!/^\d+$/.test(body) || body.length !== length - 1)
    throw new RangeError(`expected ${length - 1} digits before the check digit, got "${body}"`);
  return `${body}${gs1CheckDigit(body)}`;
}

/** A GTIN-13 (or GLN, same shape) from a 7-digit company prefix and a 5-digit reference. */
export function gs1Thirteen(companyPrefix: string, reference: number): string {
  return withCheck(`${companyPrefix}${String(reference).padStart(12 - companyPrefix.length, '0')}`, 13);
}

/** An SSCC-18 for a carton: extension digit, company prefix, serial reference. */
export function sscc18(companyPrefix: string, serial: number, extension = 0): string {
  return withCheck(
    `${extension}${companyPrefix}${String(serial).padStart(16 - companyPrefix.length, '0')}`,
    18,
  );
}
