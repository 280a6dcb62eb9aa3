/**
 * Reading an X12 interchange. node-x12 splits the text into segments and builds the
 * interchange → functional group → transaction set tree; this file adds what a trading
 * partner's translator checks on top of it (trailers present, counts, control numbers that
 * agree between header and trailer, nothing after the last terminator) and gives every segment
 * its place: its index in the interchange and its byte offset in the text.
 *
 * Glossary: an *interchange* is ISA…IEA; a *functional group* is GS…GE and holds sets of one
 * kind (PO, PR, SH, IN, FA); a *transaction set* is ST…SE, one business document.
 */
import { type X12Interchange, X12Parser, type X12Segment } from 'node-x12';
import { ValidationError } from '../../core/index.js';
import type { Separators } from './profile.js';

/** One segment: `e[0]` is its id, `e[n]` its nth element (empty string when absent). */
export interface Segment {
  id: string;
  e: string[];
  /** 1-based position in the interchange, ISA being 1. */
  index: number;
  /** Byte offset of its first character in the UTF-8 text. */
  offset: number;
}

/**
 * Something wrong with a segment. `code` is the 997 code for the level it is reported at: AK304
 * for a segment, AK502 for a set, AK905 for a group. `element` is the element position (AK401).
 */
export interface Problem {
  segment: Segment;
  message: string;
  code: string;
  element?: number;
  /** AK403, the element's error code, with `element`. */
  elementCode?: string;
  data?: string;
}

export interface TransactionSet {
  id: string;
  control: string;
  st: Segment;
  se?: Segment;
  /** The segments between ST and SE. */
  body: Segment[];
  /** Envelope problems of this set (AK5 codes). */
  problems: Problem[];
}

export interface FunctionalGroup {
  functionalId: string;
  senderCode: string;
  receiverCode: string;
  date: string;
  time: string;
  controlNumber: string;
  version: string;
  gs: Segment;
  ge?: Segment;
  sets: TransactionSet[];
  /** Envelope problems of this group (AK9 codes). */
  problems: Problem[];
}

export interface Interchange {
  separators: Separators;
  sender: { qualifier: string; id: string };
  receiver: { qualifier: string; id: string };
  /** ISA09 YYMMDD and ISA10 HHMM. */
  date: string;
  time: string;
  /** ISA13 as written: nine digits. */
  controlNumber: string;
  usage: string;
  isa: Segment;
  iea: Segment;
  groups: FunctionalGroup[];
}

/** A document that cannot be read, naming the segment, where it is and what is wrong. */
export class X12Error extends ValidationError {
  readonly segment: { id: string; index: number; offset: number };
  constructor(problem: Pick<Problem, 'segment' | 'message' | 'element'>, context?: string) {
    const { id, index, offset } = problem.segment;
    super(
      `X12 ${context ? `${context}: ` : ''}segment ${index} (${id || '?'}) at byte ${offset}: ${problem.message}`,
      [
        {
          path: `/segments/${index}${problem.element === undefined ? '' : `/${problem.element}`}`,
          message: problem.message,
        },
      ],
    );
    this.segment = { id, index, offset };
  }
}

/** The functional identifier code (GS01) each transaction set travels under. */
export const FUNCTIONAL_IDS: Record<string, string> = {
  '850': 'PO',
  '855': 'PR',
  '856': 'SH',
  '810': 'IN',
  '997': 'FA',
};

interface RawSegment {
  /** Character offset in the text. */
  at: number;
  tag: string;
  raw: string;
}

/** Where each segment starts, and text left over after the last terminator (a cut-off document). */
function scan(
  text: string,
  terminator: string,
  element: string,
): { segments: RawSegment[]; rest?: RawSegment } {
  const segments: RawSegment[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text.charAt(i))) i++;
    if (i >= text.length) break;
    const end = text.indexOf(terminator, i);
    const raw = text.slice(i, end < 0 ? undefined : end);
    const tag = raw.split(element, 1)[0]!.trim();
    if (end < 0) return { segments, rest: { at: i, tag, raw } };
    segments.push({ at: i, tag, raw });
    i = end + 1;
  }
  return { segments };
}

/**
 * Reads one interchange. Problems that leave the interchange unreadable (no ISA, a cut-off
 * document, a missing or disagreeing IEA, segments outside any group or set) throw an X12Error;
 * problems of a group or a set are recorded on it, so a 997 can report them.
 */
export function readInterchange(input: string): Interchange {
  const text = input.replace(/^\uFEFF/, '');
  const start = text.search(/\S/);
  const bytes = (at: number) => Buffer.byteLength(text.slice(0, at));
  const fatal = (message: string, at: number, id: string, index: number): never => {
    throw new X12Error({ segment: { id, e: [id], index, offset: bytes(at) }, message });
  };
  if (start < 0) fatal('the document is empty', 0, '', 1);
  if (!text.startsWith('ISA', start)) fatal('an interchange starts with an ISA segment', start, '', 1);
  if (text.length - start < 106)
    fatal(
      `the document is cut off: the ISA segment has 106 fixed characters, the document has ${text.length - start}`,
      start,
      'ISA',
      1,
    );
  const body = text.slice(start);
  const element = body.charAt(3);
  const terminator = body.charAt(105);
  const component = body.charAt(104);
  if (body.charAt(103) !== element || /[A-Za-z0-9\s]/.test(element))
    fatal(
      'the ISA segment is not 106 characters long (ISA16 and the terminator sit at 105 and 106)',
      start,
      'ISA',
      1,
    );
  const { segments: raws, rest } = scan(body, terminator, element);
  if (rest)
    fatal(
      `the document is cut off inside segment ${rest.tag || '?'}: no segment terminator "${terminator}" after it`,
      start + rest.at,
      rest.tag,
      raws.length + 1,
    );
  const isaCount = raws.filter((r) => r.tag === 'ISA').length;
  if (isaCount > 1) {
    const k = raws.findIndex((r, n) => n > 0 && r.tag === 'ISA');
    fatal('a document holds one interchange; a second ISA starts here', start + raws[k]!.at, 'ISA', k + 1);
  }
  // character offset of each line start, to turn node-x12's line/character ranges into offsets
  const lineStarts = [0];
  for (let i = 0; i < body.length; i++) if (body.charAt(i) === '\n') lineStarts.push(i + 1);
  const byOffset = new Map(raws.map((r, n) => [r.at, n]));
  const where = (line: number, character: number) => (lineStarts[line] ?? 0) + character;
  const place = (seg: X12Segment): Segment => {
    const at = where(seg.range.start.line, seg.range.start.character);
    const n = byOffset.get(at) ?? 0;
    return {
      id: seg.tag,
      e: [seg.tag, ...seg.elements.map((x) => x.value)],
      index: n + 1,
      offset: bytes(start + at),
    };
  };
  const rawElements = (s: Segment) => (raws[s.index - 1]?.raw ?? '').split(element);

  const parser = new X12Parser(false);
  let tree: X12Interchange;
  try {
    tree = parser.parse(body) as X12Interchange;
  } catch (err) {
    return fatal(`not readable as X12: ${err instanceof Error ? err.message : String(err)}`, start, 'ISA', 1);
  }
  // node-x12 reports count and control-number mismatches too; those are checked below, per level
  const other = parser.diagnostics.find((d) => !/(SE|GE|IEA)0[12]/.test(d.message));
  if (other) {
    const at = where(other.range.start.line, other.range.start.character);
    const n = byOffset.get(at) ?? [...byOffset.keys()].filter((k) => k <= at).length - 1;
    fatal(
      other.message.replace(/^X12 Standard: /, ''),
      start + (raws[n]?.at ?? 0),
      raws[n]?.tag ?? '',
      n + 1,
    );
  }

  const isa = place(tree.header);
  const isaRaw = rawElements(isa);
  const last = raws.length;
  if (!tree.trailer)
    fatal(
      'the interchange has no IEA trailer (the document ends without one)',
      start + raws[last - 1]!.at,
      raws[last - 1]!.tag,
      last,
    );
  const iea = place(tree.trailer);
  const controlNumber = isaRaw[13] ?? '';
  if (!/^\d{9}$/.test(controlNumber))
    throw new X12Error({ segment: isa, element: 13, message: `ISA13 "${controlNumber}" is not nine digits` });
  const ieaControl = rawElements(iea)[2] ?? '';
  if (ieaControl !== controlNumber)
    throw new X12Error({
      segment: iea,
      element: 2,
      message: `IEA02 ${ieaControl} does not match ISA13 ${controlNumber}`,
    });
  if (Number(iea.e[1]) !== tree.functionalGroups.length)
    throw new X12Error({
      segment: iea,
      element: 1,
      message: `IEA01 says ${iea.e[1]} functional groups but the interchange has ${tree.functionalGroups.length}`,
    });
  if (iea.index !== last)
    fatal(
      'segments follow the IEA trailer',
      start + raws[iea.index]!.at,
      raws[iea.index]!.tag,
      iea.index + 1,
    );

  const groups = tree.functionalGroups.map((g): FunctionalGroup => {
    const gs = place(g.header);
    const group: FunctionalGroup = {
      functionalId: gs.e[1] ?? '',
      senderCode: gs.e[2] ?? '',
      receiverCode: gs.e[3] ?? '',
      date: gs.e[4] ?? '',
      time: gs.e[5] ?? '',
      controlNumber: gs.e[6] ?? '',
      version: gs.e[8] ?? '',
      gs,
      sets: [],
      problems: [],
    };
    if (!/^\d{1,9}$/.test(group.controlNumber))
      group.problems.push({
        segment: gs,
        element: 6,
        code: '6',
        message: `GS06 "${group.controlNumber}" is not 1 to 9 digits`,
      });
    const controls = new Set<string>();
    for (const t of g.transactions) {
      const st = place(t.header);
      const set: TransactionSet = {
        id: st.e[1] ?? '',
        control: st.e[2] ?? '',
        st,
        body: t.segments.map(place),
        problems: [],
      };
      if (!/^[0-9A-Za-z]{4,9}$/.test(set.control))
        set.problems.push({
          segment: st,
          element: 2,
          code: '7',
          message: `ST02 "${set.control}" is not 4 to 9 letters or digits`,
        });
      else if (controls.has(set.control))
        set.problems.push({
          segment: st,
          element: 2,
          code: '23',
          message: `ST02 ${set.control} is used twice in the group`,
        });
      controls.add(set.control);
      if (FUNCTIONAL_IDS[set.id] && FUNCTIONAL_IDS[set.id] !== group.functionalId)
        set.problems.push({
          segment: st,
          element: 1,
          code: '6',
          message: `a ${set.id} travels in a ${FUNCTIONAL_IDS[set.id]} group, not ${group.functionalId}`,
        });
      if (!t.trailer) {
        const end = set.body.at(-1) ?? st;
        set.problems.push({
          segment: end,
          code: '2',
          message: `transaction set ${set.id} ${set.control} has no SE trailer`,
        });
      } else {
        const se = place(t.trailer);
        set.se = se;
        const count = set.body.length + 2;
        if (se.e[1] !== String(count))
          set.problems.push({
            segment: se,
            element: 1,
            code: '4',
            message: `SE01 says ${se.e[1] || '(nothing)'} segments but the set has ${count}, ST and SE included`,
          });
        if (se.e[2] !== set.control)
          set.problems.push({
            segment: se,
            element: 2,
            code: '3',
            message: `SE02 ${se.e[2]} does not match ST02 ${set.control}`,
          });
      }
      group.sets.push(set);
    }
    if (!g.trailer) {
      const lastSet = group.sets.at(-1);
      const end = lastSet?.se ?? lastSet?.body.at(-1) ?? gs;
      group.problems.push({
        segment: end,
        code: '3',
        message: `functional group ${group.controlNumber} has no GE trailer`,
      });
    } else {
      const ge = place(g.trailer);
      group.ge = ge;
      if (ge.e[1] !== String(group.sets.length))
        group.problems.push({
          segment: ge,
          element: 1,
          code: '5',
          message: `GE01 says ${ge.e[1] || '(nothing)'} transaction sets but the group has ${group.sets.length}`,
        });
      if (ge.e[2] !== group.controlNumber)
        group.problems.push({
          segment: ge,
          element: 2,
          code: '4',
          message: `GE02 ${ge.e[2]} does not match GS06 ${group.controlNumber}`,
        });
    }
    return group;
  });
  if (groups.length === 0)
    throw new X12Error({ segment: iea, message: 'the interchange holds no functional group (GS…GE)' });

  return {
    separators: {
      element,
      segment: terminator,
      component,
      repetition: isaRaw[11] === 'U' ? '' : (isaRaw[11] ?? ''),
    },
    sender: { qualifier: isa.e[5] ?? '', id: (isa.e[6] ?? '').trim() },
    receiver: { qualifier: isa.e[7] ?? '', id: (isa.e[8] ?? '').trim() },
    date: isa.e[9] ?? '',
    time: isa.e[10] ?? '',
    controlNumber,
    usage: isa.e[15] ?? '',
    isa,
    iea,
    groups,
  };
}

/** The position of a segment within its transaction set, ST being 1 (AK302). */
export const positionInSet = (set: TransactionSet, seg: Segment): number => seg.index - set.st.index + 1;
