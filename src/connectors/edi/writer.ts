/**
 * Writing an X12 interchange with a trading partner's separators: ISA/GS/ST…SE/GE/IEA around
 * the segments of one or more transaction sets, with control numbers and counts that agree.
 */
import { ValidationError } from '../../core/index.js';
import type { InterchangeParty, TradingPartnerProfile } from './profile.js';

export interface SetToWrite {
  /** ST01, e.g. 850. */
  id: string;
  /** The segments between ST and SE, each as its elements with the segment id first. */
  body: string[][];
}

export interface InterchangeToWrite {
  profile: TradingPartnerProfile;
  /** ISA13 (nine digits) and GS06; ST02 counts 0001, 0002… within the group. */
  controlNumber: number;
  /** GS01: PO, PR, SH, IN, FA. */
  functionalId: string;
  sets: SetToWrite[];
  /** ISA09/ISA10 and GS04/GS05, in UTC. */
  at: Date;
  /** Swap the parties: when the partner is the sender (documents written for tests and fixtures). */
  fromPartner?: boolean;
}

const pad = (s: string, n: number) => s.slice(0, n).padEnd(n, ' ');
export const x12Date = (at: Date) => at.toISOString().slice(0, 10).replace(/-/g, '');
export const x12Time = (at: Date) => at.toISOString().slice(11, 16).replace(':', '');

/** ST02 of the nth set of a group (0-based). */
export const setControl = (n: number) => String(n + 1).padStart(4, '0');

export function writeInterchange(input: InterchangeToWrite): string {
  const { profile, controlNumber, at } = input;
  if (!Number.isInteger(controlNumber) || controlNumber < 1 || controlNumber > 999_999_999)
    throw new ValidationError(`the control number must be 1 to 999999999, got ${controlNumber}`, [
      { path: '/controlNumber', message: 'must be an integer from 1 to 999999999' },
    ]);
  const [from, to]: InterchangeParty[] = input.fromPartner
    ? [profile.partner, profile.us]
    : [profile.us, profile.partner];
  const s = profile.separators;
  const icn = String(controlNumber).padStart(9, '0');
  const isa = [
    'ISA',
    '00',
    pad('', 10),
    '00',
    pad('', 10),
    pad(from!.qualifier, 2),
    pad(from!.id, 15),
    pad(to!.qualifier, 2),
    pad(to!.id, 15),
    x12Date(at).slice(2),
    x12Time(at),
    profile.version === '005010' ? s.repetition : 'U',
    profile.version === '005010' ? '00501' : '00401',
    icn,
    profile.requestTa1 ? '1' : '0',
    profile.usage,
    s.component,
  ];
  const gs = [
    'GS',
    input.functionalId,
    from!.applicationCode ?? from!.id,
    to!.applicationCode ?? to!.id,
    x12Date(at),
    x12Time(at),
    String(controlNumber),
    'X',
    profile.version,
  ];
  const sets = input.sets.flatMap((set, n) => {
    const st = setControl(n);
    return [['ST', set.id, st], ...set.body, ['SE', String(set.body.length + 2), st]];
  });
  const segments = [
    isa,
    gs,
    ...sets,
    ['GE', String(input.sets.length), String(controlNumber)],
    ['IEA', '1', icn],
  ];
  const reserved = [
    s.element,
    s.segment,
    s.component,
    ...(profile.version === '005010' ? [s.repetition] : []),
  ];
  segments.forEach((seg, i) => {
    seg.forEach((value, n) => {
      if (i === 0 && (n === 11 || n === 16)) return;
      const bad = reserved.find((c) => value.includes(c));
      if (bad !== undefined)
        throw new ValidationError(
          `${seg[0]}${String(n).padStart(2, '0')} "${value}" holds the separator "${bad}" of this trading partner`,
          [{ path: `/segments/${i + 1}/${n}`, message: `holds the separator "${bad}"` }],
        );
    });
  });
  return `${segments.map((seg) => `${trimEmpty(seg).join(s.element)}${s.segment}`).join('\n')}\n`;
}

/** Trailing empty elements are left out, as X12 requires. ISA is fixed-length and keeps them. */
function trimEmpty(seg: string[]): string[] {
  if (seg[0] === 'ISA') return seg;
  let n = seg.length;
  while (n > 1 && seg[n - 1] === '') n--;
  return seg.slice(0, n);
}
