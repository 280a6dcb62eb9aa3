/**
 * The 997 functional acknowledgement, both ways: written for every group Baton receives (one
 * 997 set per group: AK1, then per transaction set AK2, AK3/AK4 naming each bad segment and
 * element, AK5; then AK9), and read when a supplier acknowledges our 850.
 */
import { defaultSeparators, type TradingPartnerProfile, type X12Version } from './profile.js';
import { envelopeOf, type ReadContext } from './read.js';
import type { FunctionalGroup, Interchange, Problem, TransactionSet } from './syntax.js';
import { positionInSet } from './syntax.js';
import { writeInterchange } from './writer.js';

/** What was found in one received transaction set. */
export interface SetVerdict {
  set: TransactionSet;
  /** Problems inside the set: segments and elements (AK3/AK4). */
  problems: Problem[];
  /** Whether Baton reads this kind of set at all (AK501 R, AK502 1 when not). */
  supported: boolean;
}

export interface GroupVerdict {
  group: FunctionalGroup;
  sets: SetVerdict[];
}

export interface Render997Options {
  /** Our profile for this partner; by default one built from the received ISA with the parties swapped. */
  profile?: TradingPartnerProfile;
  controlNumber?: number;
  at?: Date;
}

const setAccepted = (v: SetVerdict) => v.supported && v.set.problems.length === 0 && v.problems.length === 0;

/** The body of one 997 set acknowledging one group. */
function ackBody(v: GroupVerdict): string[][] {
  const out: string[][] = [['AK1', v.group.functionalId, v.group.controlNumber]];
  for (const sv of v.sets) {
    out.push(['AK2', sv.set.id, sv.set.control]);
    for (const p of sv.problems.slice(0, 20)) {
      out.push(['AK3', p.segment.id, String(positionInSet(sv.set, p.segment)), '', p.code]);
      if (p.element !== undefined && p.elementCode)
        out.push(['AK4', String(p.element), '', p.elementCode, (p.data ?? '').slice(0, 99)]);
    }
    const codes = [
      ...(sv.supported ? [] : ['1']),
      ...sv.set.problems.map((p) => p.code),
      ...(sv.problems.length > 0 ? ['5'] : []),
    ];
    out.push(['AK5', setAccepted(sv) ? 'A' : 'R', ...[...new Set(codes)].slice(0, 5)]);
  }
  const accepted = v.sets.filter(setAccepted).length;
  const groupCodes = [...new Set(v.group.problems.map((p) => p.code))].slice(0, 5);
  const status = groupCodes.length > 0 || accepted === 0 ? 'R' : accepted === v.sets.length ? 'A' : 'P';
  out.push([
    'AK9',
    status,
    String(v.sets.length),
    String(v.sets.length),
    String(groupCodes.length > 0 ? 0 : accepted),
    ...groupCodes,
  ]);
  return out;
}

export function render997(ic: Interchange, groups: GroupVerdict[], options: Render997Options = {}): string {
  const version: X12Version = groups[0]?.group.version.startsWith('005') ? '005010' : '004010';
  const profile: TradingPartnerProfile = options.profile ?? {
    us: { qualifier: ic.receiver.qualifier, id: ic.receiver.id },
    partner: { qualifier: ic.sender.qualifier, id: ic.sender.id },
    separators: defaultSeparators,
    version,
    usage: ic.usage === 'T' ? 'T' : 'P',
  };
  return writeInterchange({
    profile,
    controlNumber: options.controlNumber ?? 1,
    functionalId: 'FA',
    sets: groups.map((g) => ({ id: '997', body: ackBody(g) })),
    at: options.at ?? new Date(),
  });
}

/** A received 997, as Baton reports it: not an event of the catalogue, a receipt for what we sent. */
export interface FunctionalAcknowledgement {
  /** AK101/AK102: the group acknowledged. */
  functionalId: string;
  groupControlNumber: string;
  status: 'accepted' | 'accepted-with-errors' | 'partially-accepted' | 'rejected';
  sets: Array<{
    transactionSet: string;
    controlNumber: string;
    accepted: boolean;
    codes: string[];
    errors: Array<{
      segment: string;
      position: number;
      code: string;
      elements: Array<{ position: string; code: string; data?: string }>;
    }>;
  }>;
  x12: Omit<ReturnType<typeof envelopeOf>, 'transactionSet'> & { transactionSet: '997' };
}

const GROUP_STATUS: Record<string, FunctionalAcknowledgement['status']> = {
  A: 'accepted',
  E: 'accepted-with-errors',
  P: 'partially-accepted',
  R: 'rejected',
  M: 'rejected',
  W: 'rejected',
  X: 'rejected',
};

export function read997(ctx: ReadContext): FunctionalAcknowledgement | undefined {
  const body = ctx.set.body;
  const ak1 = body.find((s) => s.id === 'AK1');
  const ak9 = body.find((s) => s.id === 'AK9');
  if (!ak1) {
    ctx.problems.push({
      segment: { ...ctx.set.st, id: 'AK1' },
      code: '3',
      message: 'no AK1 segment: the group acknowledged is required',
    });
    return undefined;
  }
  if (!ak9 || !GROUP_STATUS[ak9.e[1] ?? '']) {
    const seg = ak9 ?? { ...ctx.set.st, id: 'AK9' };
    ctx.problems.push({
      segment: seg,
      code: ak9 ? '8' : '3',
      message: ak9
        ? `AK901 "${ak9.e[1] ?? ''}" is not A, E, P or R`
        : 'no AK9 segment: the group response is required',
    });
    return undefined;
  }
  const sets: FunctionalAcknowledgement['sets'] = [];
  for (const seg of body) {
    const current = sets.at(-1);
    if (seg.id === 'AK2')
      sets.push({
        transactionSet: seg.e[1] ?? '',
        controlNumber: seg.e[2] ?? '',
        accepted: false,
        codes: [],
        errors: [],
      });
    else if (seg.id === 'AK3' && current)
      current.errors.push({
        segment: seg.e[1] ?? '',
        position: Number(seg.e[2]),
        code: seg.e[4] ?? '',
        elements: [],
      });
    else if (seg.id === 'AK4' && current?.errors.length)
      current.errors.at(-1)!.elements.push({
        position: seg.e[1] ?? '',
        code: seg.e[3] ?? '',
        ...(seg.e[4] ? { data: seg.e[4] } : {}),
      });
    else if (seg.id === 'AK5' && current) {
      current.accepted = seg.e[1] === 'A' || seg.e[1] === 'E';
      current.codes = seg.e.slice(2).filter((c) => c !== '');
    }
  }
  return {
    functionalId: ak1.e[1] ?? '',
    groupControlNumber: ak1.e[2] ?? '',
    status: GROUP_STATUS[ak9.e[1] ?? '']!,
    sets,
    x12: { ...envelopeOf(ctx, '850'), transactionSet: '997' },
  };
}
