import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures: an HMAC-SHA256 of the raw request body under a secret shared with the sender.
 * Shopify sends it base64-encoded in `X-Shopify-Hmac-Sha256`; Baton's Medusa adapter expects
 * `X-Medusa-Signature: sha256=<hex>`, as a subscriber signing with `createHmac` writes it.
 */

export type SignatureEncoding = 'base64' | 'hex';

/** The signature of `body` under `secret`. */
export function signBody(secret: string, body: Buffer | string, encoding: SignatureEncoding): string {
  return createHmac('sha256', secret).update(body).digest(encoding);
}

/**
 * Whether `presented` is the signature of `body` under `secret`. Compared in constant time over the
 * decoded digests, so neither a wrong length nor a wrong byte tells an attacker how close they came.
 */
export function verifySignature(
  secret: string,
  body: Buffer,
  presented: string | undefined,
  encoding: SignatureEncoding,
): boolean {
  if (presented === undefined || presented.length === 0 || presented.length > 200) return false;
  const wellFormed = encoding === 'hex' ? /^[0-9a-fA-F]+$/ : /^[A-Za-z0-9+/]+={0,2}$/;
  if (!wellFormed.test(presented)) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(presented, encoding);
  // timingSafeEqual needs equal lengths: compare against itself to keep the timing uniform, then refuse
  if (given.length !== expected.length) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(given, expected);
}
