/**
 * Trading-partner profiles: who we are and who the supplier is on the X12 envelope, and how
 * the documents we send are punctuated. One profile per supplier relationship; received
 * documents carry their own separators in the ISA segment and are read without a profile.
 */
import { ValidationError, type ValidationIssue } from '../../core/index.js';

/** An interchange id with its qualifier (ISA05/ISA06 or ISA07/ISA08): ZZ mutually defined, 01 DUNS, 14 DUNS+4, 12 phone, 08 UCC. */
export interface InterchangeParty {
  qualifier: string;
  id: string;
  /** The application code in GS02/GS03; the interchange id when absent. */
  applicationCode?: string;
}

export interface Separators {
  element: string;
  segment: string;
  component: string;
  /** ISA11 from 005010 on; ignored for 004010, where ISA11 is the standards id `U`. */
  repetition: string;
}

export type X12Version = '004010' | '005010';

export interface TradingPartnerProfile {
  /** Us: the retailer's interchange id. */
  us: InterchangeParty;
  /** The trading partner: the supplier's interchange id. */
  partner: InterchangeParty;
  separators: Separators;
  version: X12Version;
  /** ISA15: T for test, P for production. */
  usage: 'T' | 'P';
  /** ISA14: whether we ask the partner for a TA1 interchange acknowledgement. */
  requestTa1?: boolean;
  /** The partner's id in the ERP (the vendor number), used when its documents do not carry one. */
  supplierId?: string;
  /** ISO 4217 currency of amounts in documents without a CUR segment. */
  currency?: string;
  /** Baton location ids by GS1 GLN, for ship-to parties named only by their GLN. */
  locations?: Record<string, string>;
}

export const defaultSeparators: Separators = { element: '*', segment: '~', component: '>', repetition: '^' };

const QUALIFIERS = ['01', '08', '09', '12', '14', '16', '20', '27', '28', '29', '30', '33', 'ZZ'];

/** What is wrong with a profile, as issues with JSON pointers into it. */
export function profileIssues(p: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (typeof p !== 'object' || p === null) return [{ path: '', message: 'must be an object' }];
  const o = p as Record<string, unknown>;
  for (const side of ['us', 'partner'] as const) {
    const party = o[side] as Record<string, unknown> | undefined;
    if (typeof party !== 'object' || party === null) {
      issues.push({ path: `/${side}`, message: 'is required: { qualifier, id }' });
      continue;
    }
    if (!QUALIFIERS.includes(String(party.qualifier)))
      issues.push({
        path: `/${side}/qualifier`,
        message: `must be an ISA id qualifier (${QUALIFIERS.join(', ')})`,
      });
    if (typeof party.id !== 'string' || !/^[A-Za-z0-9 .-]{1,15}$/.test(party.id))
      issues.push({
        path: `/${side}/id`,
        message: 'must be 1 to 15 letters, digits, spaces, dots or dashes',
      });
    if (
      party.applicationCode !== undefined &&
      (typeof party.applicationCode !== 'string' || !/^[A-Za-z0-9 .-]{2,15}$/.test(party.applicationCode))
    )
      issues.push({ path: `/${side}/applicationCode`, message: 'must be 2 to 15 letters or digits' });
  }
  if (o.version !== '004010' && o.version !== '005010')
    issues.push({ path: '/version', message: 'must be 004010 or 005010' });
  if (o.usage !== 'T' && o.usage !== 'P')
    issues.push({ path: '/usage', message: 'must be T (test) or P (production)' });
  if (o.supplierId !== undefined && (typeof o.supplierId !== 'string' || !/^\S.{0,63}$/.test(o.supplierId)))
    issues.push({ path: '/supplierId', message: 'must be 1 to 64 characters' });
  if (o.currency !== undefined && (typeof o.currency !== 'string' || !/^[A-Z]{3}$/.test(o.currency)))
    issues.push({ path: '/currency', message: 'must be an ISO 4217 code such as EUR' });
  if (o.locations !== undefined) {
    if (typeof o.locations !== 'object' || o.locations === null || Array.isArray(o.locations))
      issues.push({ path: '/locations', message: 'must be an object of GLN to location id' });
    else
      for (const [gln, id] of Object.entries(o.locations))
        if (
          !/^[0-9]{13}$/.test(gln) ||
          typeof id !== 'string' ||
          !/^(ST|DC|WH|SUP)-[A-Z0-9-]{1,20}$/.test(id)
        )
          issues.push({
            path: `/locations/${gln}`,
            message: 'must map a 13-digit GLN to a location id (ST-…, DC-…, WH-…, SUP-…)',
          });
  }
  const s = o.separators as Record<string, unknown> | undefined;
  if (typeof s !== 'object' || s === null) {
    issues.push({ path: '/separators', message: 'is required: { element, segment, component, repetition }' });
  } else {
    const chars = ['element', 'segment', 'component', 'repetition'].map((k) => {
      const v = s[k];
      if (typeof v !== 'string' || v.length !== 1 || /[A-Za-z0-9 ]/.test(v))
        issues.push({ path: `/separators/${k}`, message: 'must be one punctuation character' });
      return v;
    });
    if (new Set(chars).size !== chars.length)
      issues.push({ path: '/separators', message: 'the four separators must differ from each other' });
  }
  return issues;
}

/** A profile from parsed JSON, or a ValidationError listing everything wrong with it. */
export function toProfile(value: unknown): TradingPartnerProfile {
  const issues = profileIssues(value);
  if (issues.length > 0)
    throw new ValidationError(
      `invalid trading-partner profile: ${issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`,
      issues,
    );
  return value as TradingPartnerProfile;
}
