/**
 * Supplier EDI as Baton sees it: an interchange in, the events it carries out (each checked
 * against its contract), and the 997 that answers it.
 */
import {
  type AsnReceived,
  type CatalogueEntry,
  ContractValidators,
  catalogue,
  type InvoicePosted,
  type PurchaseOrderAcknowledged,
  type PurchaseOrderIssued,
} from '../../contracts/index.js';
import { read855 } from './ack855.js';
import { read856 } from './asn856.js';
import {
  type FunctionalAcknowledgement,
  type GroupVerdict,
  type Render997Options,
  read997,
  render997,
} from './fa997.js';
import { read810 } from './invoice810.js';
import { read850 } from './po850.js';
import { type ReadContext, type ReadOptions, readContext } from './read.js';
import { type Interchange, type Problem, readInterchange, type TransactionSet, X12Error } from './syntax.js';

export type EdiEvent =
  | { type: 'purchase_order.issued'; data: PurchaseOrderIssued }
  | { type: 'purchase_order.acknowledged'; data: PurchaseOrderAcknowledged }
  | { type: 'asn.received'; data: AsnReceived }
  | { type: 'invoice.posted'; data: InvoicePosted };

/** What each transaction set becomes: a catalogue event, or (997) a receipt for what we sent. */
const READERS: Record<string, { type: string; read: (ctx: ReadContext) => unknown }> = {
  '850': { type: 'purchase_order.issued', read: read850 },
  '855': { type: 'purchase_order.acknowledged', read: read855 },
  '856': { type: 'asn.received', read: read856 },
  '810': { type: 'invoice.posted', read: read810 },
  '997': { type: 'x12.functional_acknowledgement', read: read997 },
};

/** The transaction sets Baton reads. */
export const READ_SETS = Object.keys(READERS);

let validators: ContractValidators | undefined;
const entries = new Map<string, CatalogueEntry>();

/** Contract problems of event data, as problems placed on the segments the data came from. */
function contractProblems(ctx: ReadContext, type: string, data: unknown): Problem[] {
  if (entries.size === 0) for (const e of catalogue) entries.set(e.type, e);
  const entry = entries.get(type);
  if (!entry) return [];
  validators ??= new ContractValidators();
  const issues = validators.validate(type, 1, entry.schema as Record<string, unknown>, data);
  return issues.map((issue) => {
    let segment = ctx.set.body[0] ?? ctx.set.st;
    let best = -1;
    for (const [pointer, seg] of ctx.origins)
      if ((issue.path === pointer || issue.path.startsWith(`${pointer}/`)) && pointer.length >= best) {
        segment = seg;
        best = pointer.length;
      }
    return {
      segment,
      code: '8',
      message: `the ${type} event would not satisfy its contract: ${issue.path || '/'} ${issue.message}`,
    };
  });
}

export interface ReadSet {
  set: TransactionSet;
  /** The event type (or x12.functional_acknowledgement) when Baton reads this kind of set. */
  type?: string;
  data?: unknown;
  /** Problems inside the set (segments, elements, the contract); its envelope problems are on `set`. */
  problems: Problem[];
}

export interface ReadInterchange {
  interchange: Interchange;
  groups: Array<{ group: Interchange['groups'][number]; sets: ReadSet[] }>;
}

/**
 * Reads every set of an interchange and keeps what is wrong with each, for a 997. Throws an
 * X12Error only when the interchange itself cannot be read.
 */
export function readAll(text: string, options: ReadOptions = {}): ReadInterchange {
  const interchange = readInterchange(text);
  const groups = interchange.groups.map((group) => ({
    group,
    sets: group.sets.map((set): ReadSet => {
      const reader = READERS[set.id];
      if (!reader) return { set, problems: [] };
      const ctx = readContext(interchange, group, set, options);
      const data = set.problems.length > 0 ? undefined : reader.read(ctx);
      if (data !== undefined) ctx.problems.push(...contractProblems(ctx, reader.type, data));
      return {
        set,
        type: reader.type,
        ...(ctx.problems.length === 0 && data ? { data } : {}),
        problems: ctx.problems,
      };
    }),
  }));
  return { interchange, groups };
}

export interface ParsedEdi {
  interchange: Interchange;
  events: EdiEvent[];
  /** 997s received: what the partner said about documents we sent. */
  acknowledgements: FunctionalAcknowledgement[];
}

/**
 * The events an interchange carries, each satisfying its contract. The first problem anywhere
 * (envelope, segment, element, contract) throws an X12Error naming the segment and its position.
 */
export function parseEdi(text: string, options: ReadOptions = {}): ParsedEdi {
  const read = readAll(text, options);
  const out: ParsedEdi = { interchange: read.interchange, events: [], acknowledgements: [] };
  for (const { group, sets } of read.groups) {
    for (const r of sets) {
      const where = `${r.set.id} ${r.set.control}`;
      const first = r.set.problems[0] ?? r.problems[0];
      if (first) throw new X12Error(first, where);
      if (!r.type)
        throw new X12Error(
          {
            segment: r.set.st,
            element: 1,
            message: `Baton does not read transaction set ${r.set.id} (it reads ${READ_SETS.join(', ')})`,
          },
          where,
        );
      if (r.type === 'x12.functional_acknowledgement')
        out.acknowledgements.push(r.data as FunctionalAcknowledgement);
      else out.events.push({ type: r.type, data: r.data } as EdiEvent);
    }
    if (group.problems[0]) throw new X12Error(group.problems[0], `group ${group.controlNumber}`);
  }
  return out;
}

export interface Acknowledgement {
  /** The 997 interchange. */
  x12: string;
  accepted: boolean;
  /** Each problem found, as one line naming the segment, as parseEdi would throw it. */
  errors: string[];
}

/**
 * The 997 for a received interchange: each group accepted, partly accepted or rejected, each set
 * with AK3/AK4 naming its bad segments and elements. Throws an X12Error when the interchange
 * itself cannot be read (that is a TA1's business, not a 997's).
 */
export function acknowledgeEdi(text: string, options: ReadOptions & Render997Options = {}): Acknowledgement {
  const read = readAll(text, options);
  const received = read.groups.filter(({ group }) => group.functionalId !== 'FA');
  if (received.length === 0)
    throw new X12Error({
      segment: read.groups[0]!.group.gs,
      element: 1,
      message: 'a 997 is not itself acknowledged',
    });
  const verdicts: GroupVerdict[] = received.map(({ group, sets }) => ({
    group,
    sets: sets.map((r) => ({ set: r.set, problems: r.problems, supported: r.type !== undefined })),
  }));
  const errors: string[] = [];
  for (const { group, sets } of received) {
    for (const r of sets) {
      const where = `${r.set.id} ${r.set.control}`;
      for (const p of [...r.set.problems, ...r.problems]) errors.push(new X12Error(p, where).message);
      if (!r.type) errors.push(`X12 ${where}: Baton does not read transaction set ${r.set.id}`);
    }
    for (const p of group.problems) errors.push(new X12Error(p, `group ${group.controlNumber}`).message);
  }
  return { x12: render997(read.interchange, verdicts, options), accepted: errors.length === 0, errors };
}
