import { ValidationError } from '../core/index.js';

/**
 * Just enough ANSI X12 for a supplier's side of EDI: write interchanges (ISA/GS/ST…SE/GE/IEA with
 * control numbers) and read the transaction sets inside one, checking the envelope the way a
 * trading partner's translator would.
 */

export interface Party {
  /** ISA05/ISA07 qualifier: ZZ mutually defined, 01 DUNS, 14 DUNS+suffix. */
  qualifier: string;
  id: string;
}

export interface InterchangeInput {
  sender: Party;
  receiver: Party;
  version: '004010' | '005010';
  /** ISA13 and GS06; nine and up to nine digits. */
  controlNumber: number;
  /** PO (850), PR (855), SH (856), IN (810), FA (997). */
  functionalId: string;
  transactionSet: string;
  /** The segments between ST and SE, each as its elements with the segment id first. */
  segments: string[][];
  at: Date;
  usage?: 'T' | 'P';
}

export const SEGMENT_TERMINATOR = '~';
export const ELEMENT_SEPARATOR = '*';
export const COMPONENT_SEPARATOR = '>';

const pad = (s: string, n: number) => s.slice(0, n).padEnd(n, ' ');
const digits = (n: number, width: number) => String(n).padStart(width, '0');

/** `YYYYMMDD` and `HHMM` of a time, in UTC. */
export function x12Date(at: Date): string {
  return at.toISOString().slice(0, 10).replace(/-/g, '');
}
export const x12Time = (at: Date): string => at.toISOString().slice(11, 16).replace(':', '');

/** An ISO date from an X12 `YYYYMMDD`. */
export const isoFromX12 = (d: string): string => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;

/** One interchange holding one functional group holding one transaction set. */
export function renderInterchange(input: InterchangeInput): string {
  const { sender, receiver, version, controlNumber, at } = input;
  const isa = [
    'ISA',
    '00',
    pad('', 10),
    '00',
    pad('', 10),
    pad(sender.qualifier, 2),
    pad(sender.id, 15),
    pad(receiver.qualifier, 2),
    pad(receiver.id, 15),
    x12Date(at).slice(2),
    x12Time(at),
    version === '005010' ? '^' : 'U',
    version === '005010' ? '00501' : '00401',
    digits(controlNumber, 9),
    '0',
    input.usage ?? 'P',
    COMPONENT_SEPARATOR,
  ];
  const st = digits(controlNumber % 10_000, 4);
  const body = [['ST', input.transactionSet, st], ...input.segments];
  const segments = [
    isa,
    [
      'GS',
      input.functionalId,
      sender.id,
      receiver.id,
      x12Date(at),
      x12Time(at),
      String(controlNumber),
      'X',
      version,
    ],
    ...body,
    ['SE', String(body.length + 1), st],
    ['GE', '1', String(controlNumber)],
    ['IEA', '1', digits(controlNumber, 9)],
  ];
  return `${segments.map((s) => `${s.join(ELEMENT_SEPARATOR)}${SEGMENT_TERMINATOR}`).join('\n')}\n`;
}

export interface ParsedSet {
  id: string;
  control: string;
  /** Segments between ST and SE. */
  segments: string[][];
}

export interface ParsedInterchange {
  sender: Party;
  receiver: Party;
  controlNumber: string;
  version: string;
  groups: Array<{ functionalId: string; controlNumber: string; sets: ParsedSet[] }>;
}

function fail(message: string, index: number, segment?: string): never {
  throw new ValidationError(`X12 segment ${index + 1}${segment ? ` (${segment})` : ''}: ${message}`, [
    { path: `/segments/${index}`, message },
  ]);
}

/**
 * Reads an interchange. The separators come from the ISA segment itself (element separator at
 * position 3, component separator at 104, segment terminator at 105). Envelope errors name the
 * segment's position: a missing ISA, an SE count that does not match, control numbers that differ.
 */
export function parseInterchange(text: string): ParsedInterchange {
  const start = text.indexOf('ISA');
  if (start < 0 || text.slice(0, start).trim() !== '') fail('an interchange starts with an ISA segment', 0);
  const raw = text.slice(start);
  if (raw.length < 106) fail('the ISA segment is shorter than its fixed 106 characters', 0, 'ISA');
  const element = raw.charAt(3);
  const terminator = raw.charAt(105);
  const segments = raw
    .split(terminator)
    .map((s) => s.replace(/^[\r\n]+/, '').trimEnd())
    .filter((s) => s.length > 0)
    .map((s) => s.split(element));
  const isa = segments[0]!;
  if (isa.length !== 17) fail(`ISA has ${isa.length - 1} elements, not 16`, 0, 'ISA');
  const out: ParsedInterchange = {
    sender: { qualifier: isa[5]!.trim(), id: isa[6]!.trim() },
    receiver: { qualifier: isa[7]!.trim(), id: isa[8]!.trim() },
    controlNumber: isa[13]!,
    version: '',
    groups: [],
  };
  let group: ParsedInterchange['groups'][number] | undefined;
  let set: (ParsedSet & { at: number }) | undefined;
  for (let i = 1; i < segments.length; i++) {
    const seg = segments[i]!;
    const id = seg[0]!;
    if (id === 'GS') {
      group = { functionalId: seg[1] ?? '', controlNumber: seg[6] ?? '', sets: [] };
      out.version = seg[8] ?? '';
      out.groups.push(group);
    } else if (id === 'ST') {
      if (!group) fail('ST outside a functional group', i, id);
      set = { id: seg[1] ?? '', control: seg[2] ?? '', segments: [], at: i };
    } else if (id === 'SE') {
      if (!set || !group) fail('SE without a matching ST', i, id);
      const count = i - set.at + 1;
      if (Number(seg[1]) !== count) fail(`SE01 says ${seg[1]} segments but the set has ${count}`, i, id);
      if (seg[2] !== set.control) fail(`SE02 ${seg[2]} does not match ST02 ${set.control}`, i, id);
      group.sets.push({ id: set.id, control: set.control, segments: set.segments });
      set = undefined;
    } else if (id === 'GE') {
      if (!group) fail('GE without a matching GS', i, id);
      if (seg[2] !== group.controlNumber)
        fail(`GE02 ${seg[2]} does not match GS06 ${group.controlNumber}`, i, id);
      group = undefined;
    } else if (id === 'IEA') {
      if (seg[2] !== out.controlNumber)
        fail(`IEA02 ${seg[2]} does not match ISA13 ${out.controlNumber}`, i, id);
      return out;
    } else if (set) set.segments.push(seg);
    else fail(`segment ${id} outside a transaction set`, i, id);
  }
  return fail('the interchange has no IEA trailer', segments.length - 1);
}
