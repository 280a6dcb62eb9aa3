/**
 * The NATS subject scheme: `<prefix>.<type>.<key>`, for example `baton.events.order.confirmed.SO-1001`,
 * or `baton.events.stock.low._` for an event without a business key.
 *
 * - The type keeps its dots, so it spans one or more tokens; the business key is always exactly one
 *   token, the last one. That makes every useful filter expressible:
 *   one type `baton.events.order.confirmed.*` (exactly one token follows, so `order.confirmed.late`
 *   does not match), a family of types `baton.events.order.>`, one type for one key
 *   `baton.events.order.confirmed.SO-1001`.
 * - Order per key: one stream captures `<prefix>.>` and stores messages in one sequence; the relay
 *   publishes the events of a key one after another, so consumers see them in commit order.
 * - Tokens are percent-encoded where NATS would misread them ('.', '*', '>', whitespace, '%' and
 *   anything outside printable ASCII): the key `SO 1.2` becomes `SO%201%2E2` and decodes back exactly.
 *   `_` alone means "no key"; a key that is literally `_` is written `%5F`.
 */
export const defaultSubjectPrefix = 'baton.events';

export const NO_KEY = '_';

/** One subject token for any string; reversible with `decodeURIComponent`. */
export function encodeToken(s: string): string {
  if (s === '') return NO_KEY;
  return encodeURIComponent(s).replace(
    /[.*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

function typeTokens(type: string): string {
  return type.split('.').map(encodeToken).join('.');
}

function keyToken(key: string | undefined): string {
  if (key === undefined || key === '') return NO_KEY;
  return key === NO_KEY ? '%5F' : encodeToken(key);
}

/** The subject an event is published on. */
export function subjectFor(prefix: string, type: string, key?: string): string {
  return `${prefix}.${typeTokens(type)}.${keyToken(key)}`;
}

/** A filter for every event of exactly this type (any key). */
export function typeFilter(prefix: string, type: string): string {
  return `${prefix}.${typeTokens(type)}.*`;
}
