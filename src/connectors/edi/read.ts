/**
 * What the transaction-set readers share: where they are (interchange, group, set), the problems
 * they find (each naming its segment, for the message and for the 997), which segment each part
 * of the event came from, and small readers for dates, numbers and item ids.
 */
import type { TradingPartnerProfile } from './profile.js';
import type { FunctionalGroup, Interchange, Problem, Segment, TransactionSet } from './syntax.js';

export interface ReadOptions {
  /** Profiles of known partners; the one whose partner id is ISA06 supplies defaults. */
  profiles?: TradingPartnerProfile[];
  /** ISO 4217 currency of documents without a CUR segment, when no profile names one. */
  currency?: string;
  /** Baton location ids by GLN, added to the profile's. */
  locations?: Record<string, string>;
}

export interface ReadContext {
  ic: Interchange;
  group: FunctionalGroup;
  set: TransactionSet;
  profile: TradingPartnerProfile | undefined;
  options: ReadOptions;
  problems: Problem[];
  /** JSON pointers into the event, with the segment each came from, most specific last. */
  origins: Array<[string, Segment]>;
}

export function readContext(
  ic: Interchange,
  group: FunctionalGroup,
  set: TransactionSet,
  options: ReadOptions,
): ReadContext {
  const profile = options.profiles?.find(
    (p) => p.partner.id === ic.sender.id && p.partner.qualifier === ic.sender.qualifier,
  );
  return { ic, group, set, profile, options, problems: [], origins: [] };
}

/** Records a problem with an element of a segment (AK3 code 8, AK4 with the element's code). */
export function bad(
  ctx: ReadContext,
  seg: Segment,
  element: number,
  elementCode: string,
  message: string,
): undefined {
  ctx.problems.push({
    segment: seg,
    code: '8',
    element,
    elementCode,
    data: seg.e[element] ?? '',
    message: `${seg.id}${String(element).padStart(2, '0')} ${message}`,
  });
  return undefined;
}

/** Records a mandatory segment that is not there (AK3 code 3), placed at the ST segment. */
export function missing(ctx: ReadContext, id: string, message: string): undefined {
  ctx.problems.push({ segment: { ...ctx.set.st, id }, code: '3', message: `no ${id} segment: ${message}` });
  return undefined;
}

export const from = (ctx: ReadContext, pointer: string, seg: Segment) => {
  ctx.origins.push([pointer, seg]);
};

/** An ISO date from the YYYYMMDD (or YYMMDD) in element `n`. */
export function date(ctx: ReadContext, seg: Segment, n: number): string | undefined {
  const v = seg.e[n] ?? '';
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(v.length === 6 ? `20${v}` : v);
  const iso = m ? `${m[1]}-${m[2]}-${m[3]}` : '';
  if (
    !m ||
    Number.isNaN(Date.parse(`${iso}T00:00:00Z`)) ||
    new Date(`${iso}T00:00:00Z`).toISOString().slice(0, 10) !== iso
  )
    return bad(ctx, seg, n, '8', `"${v}" is not a date (CCYYMMDD)`);
  return iso;
}

/** `HH:MM:SS` from the HHMM or HHMMSS in element `n`; midnight when the element is empty. */
export function time(ctx: ReadContext, seg: Segment, n: number): string | undefined {
  const v = seg.e[n] ?? '';
  if (v === '') return '00:00:00';
  const m = /^([01]\d|2[0-3])([0-5]\d)([0-5]\d)?(\d{0,2})$/.exec(v);
  if (!m) return bad(ctx, seg, n, '9', `"${v}" is not a time (HHMM or HHMMSS)`);
  return `${m[1]}:${m[2]}:${m[3] ?? '00'}`;
}

/** A UTC timestamp from a date element and the time element after it. */
export function timestamp(
  ctx: ReadContext,
  seg: Segment,
  dateAt: number,
  timeAt: number,
): string | undefined {
  const d = date(ctx, seg, dateAt);
  const t = time(ctx, seg, timeAt);
  return d && t ? `${d}T${t}Z` : undefined;
}

/** The group's creation time (GS04/GS05): when a document carries no time of its own. */
export const groupTime = (ctx: ReadContext) => timestamp(ctx, ctx.group.gs, 4, 5);

/** A non-negative number from element `n`. */
export function quantity(ctx: ReadContext, seg: Segment, n: number): number | undefined {
  const v = seg.e[n] ?? '';
  if (!/^\d+(\.\d+)?$/.test(v)) return bad(ctx, seg, n, v === '' ? '1' : '6', `"${v}" is not a quantity`);
  return Number(v);
}

export function unit(ctx: ReadContext, seg: Segment, n: number): string | undefined {
  const v = seg.e[n] ?? '';
  if (!/^[A-Z0-9]{2,3}$/.test(v))
    return bad(ctx, seg, n, v === '' ? '1' : '7', `"${v}" is not a unit of measure`);
  return v;
}

/** A decimal amount string from element `n`, as written ("54.00"); a leading "." gets its zero. */
export function amount(ctx: ReadContext, seg: Segment, n: number): string | undefined {
  const v = seg.e[n] ?? '';
  const normal = v.startsWith('.') ? `0${v}` : v.startsWith('-.') ? `-0${v.slice(1)}` : v;
  if (!/^-?(0|[1-9]\d{0,14})(\.\d{1,4})?$/.test(normal))
    return bad(ctx, seg, n, v === '' ? '1' : '6', `"${v}" is not an amount`);
  return normal;
}

export function currency(ctx: ReadContext, cur: Segment | undefined): string | undefined {
  return cur?.e[2] || ctx.profile?.currency || ctx.options.currency;
}

export interface ItemRef {
  sku?: string;
  gtin?: string;
  supplierItemId?: string;
  lot?: string;
}

/** Product ids as qualifier/value pairs from element `start` on: BP buyer's part, EN/UP/UK GTIN, VP vendor's part, LT lot. */
export function itemIds(seg: Segment, start: number): ItemRef {
  const out: ItemRef = {};
  for (let q = start; q + 1 < seg.e.length; q += 2) {
    const value = seg.e[q + 1] ?? '';
    if (value === '') continue;
    const code = seg.e[q];
    if (code === 'BP' || code === 'IN') out.sku ??= value;
    else if (code === 'EN' || code === 'UP' || code === 'UK' || code === 'EO') out.gtin ??= value;
    else if (code === 'VP' || code === 'VN') out.supplierItemId ??= value;
    else if (code === 'LT') out.lot ??= value;
  }
  return out;
}

/** The GS1 qualifier of a GTIN by its length: UP for a 12-digit UPC, UK for GTIN-14, EN otherwise. */
export const gtinQualifier = (gtin: string) => (gtin.length === 12 ? 'UP' : gtin.length === 14 ? 'UK' : 'EN');

export interface PartyRead {
  id?: string;
  name?: string;
  gln?: string;
  segment: Segment;
}

/** An N1 party: N103 92 (buyer-assigned id) or UL (GLN) with N104; REF*IA in its loop is the vendor number. */
export function party(n1: Segment, loop: Segment[]): PartyRead {
  const out: PartyRead = { segment: n1 };
  if (n1.e[2]) out.name = n1.e[2];
  if (n1.e[3] === 'UL' && n1.e[4]) out.gln = n1.e[4];
  else if (n1.e[4]) out.id = n1.e[4];
  for (const s of loop) {
    if (s.id === 'REF' && (s.e[1] === 'IA' || s.e[1] === 'ST') && s.e[2]) out.id = s.e[2];
    if (s.id === 'REF' && s.e[1] === 'LU' && s.e[2]) out.gln ??= s.e[2];
  }
  return out;
}

/** The N1 loops of a set body: each N1 with the N2/N3/N4/REF/PER segments after it. */
export function partyLoops(body: Segment[]): Map<string, PartyRead> {
  const out = new Map<string, PartyRead>();
  for (let i = 0; i < body.length; i++) {
    const n1 = body[i]!;
    if (n1.id !== 'N1') continue;
    const loop: Segment[] = [];
    for (let j = i + 1; j < body.length && ['N2', 'N3', 'N4', 'REF', 'PER', 'FOB'].includes(body[j]!.id); j++)
      loop.push(body[j]!);
    if (!out.has(n1.e[1] ?? '')) out.set(n1.e[1] ?? '', party(n1, loop));
  }
  return out;
}

/** The supplier's ERP id: from the document, else the partner profile, else the interchange sender id. */
export const supplierIdOf = (ctx: ReadContext, p: PartyRead | undefined) =>
  p?.id ?? ctx.profile?.supplierId ?? ctx.ic.sender.id;

/** A Baton location id from an N1 ship-to: its own id, or its GLN through the location map. */
export function locationOf(ctx: ReadContext, p: PartyRead | undefined): string | undefined {
  if (!p) return missing(ctx, 'N1', 'the ship-to party (N1*ST) is required');
  if (p.id && /^(ST|DC|WH|SUP)-/.test(p.id)) return p.id;
  const byGln = p.gln ? (ctx.options.locations?.[p.gln] ?? ctx.profile?.locations?.[p.gln]) : undefined;
  if (byGln) return byGln;
  return bad(
    ctx,
    p.segment,
    4,
    '7',
    `names ${p.gln ? `GLN ${p.gln}` : `"${p.id ?? ''}"`}, which is no Baton location id and is not in the profile's locations`,
  );
}

/** The envelope control numbers of the set being read, as events carry them. */
export function envelopeOf(ctx: ReadContext, transactionSet: '850' | '855' | '856' | '810') {
  return {
    transactionSet,
    interchangeControlNumber: ctx.ic.controlNumber,
    groupControlNumber: ctx.group.controlNumber,
    transactionSetControlNumber: ctx.set.control,
    senderId: ctx.ic.sender.id,
    receiverId: ctx.ic.receiver.id,
  };
}
