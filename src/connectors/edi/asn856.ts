/**
 * The 856 advance ship notice, read into `asn.received`.
 *
 * The body is a tree of HL levels: S shipment (TD5 carrier, REF*CN tracking, DTM*011 shipped,
 * DTM*017 expected delivery, N1*ST ship-to, N1*SF/SU supplier), O order (PRF01 PO number),
 * P pack or T tare (MAN*GM SSCC-18) and I item (LIN01 PO line with BP/EN ids and LT lot, SN1
 * shipped quantity, DTM*036 best before). Each item belongs to the order and the pack above it,
 * whichever order the levels nest in. Without an expected delivery, the ship time stands in.
 */
import type { AsnReceived } from '../../contracts/index.js';
import {
  bad,
  date,
  envelopeOf,
  from,
  itemIds,
  locationOf,
  missing,
  partyLoops,
  quantity,
  type ReadContext,
  supplierIdOf,
  timestamp,
  unit,
} from './read.js';
import type { Segment } from './syntax.js';

interface Level {
  id: string;
  parent: string;
  code: string;
  hl: Segment;
  segments: Segment[];
}

/** TD504 transportation method codes, as a service name. */
export const TRANSPORT_METHODS: Record<string, string> = {
  A: 'air',
  AE: 'air express',
  LT: 'LTL',
  M: 'motor',
  R: 'rail',
  S: 'ocean',
  U: 'parcel',
  X: 'intermodal',
};

function levels(ctx: ReadContext, body: Segment[]): Level[] | undefined {
  const out: Level[] = [];
  const seen = new Set<string>();
  for (const seg of body) {
    if (seg.id === 'HL') {
      const [, id = '', parent = '', code = ''] = seg.e;
      if (!id || seen.has(id))
        return bad(ctx, seg, 1, id ? '7' : '1', `"${id}" is not a new hierarchical id`);
      if (parent && !seen.has(parent))
        return bad(ctx, seg, 2, '7', `parent ${parent} is not an earlier HL of this ASN`);
      if (!['S', 'O', 'P', 'T', 'I'].includes(code))
        return bad(ctx, seg, 3, '7', `"${code}" is not a level Baton reads (S, O, P, T, I)`);
      seen.add(id);
      out.push({ id, parent, code, hl: seg, segments: [] });
    } else out.at(-1)?.segments.push(seg);
  }
  return out;
}

export function read856(ctx: ReadContext): AsnReceived | undefined {
  const body = ctx.set.body;
  const bsn = body.find((s) => s.id === 'BSN');
  if (!bsn) return missing(ctx, 'BSN', 'the beginning segment with the shipment id is required');
  from(ctx, '/asnNumber', bsn);
  const tree = levels(ctx, body);
  if (!tree) return undefined;
  const shipment = tree.find((l) => l.code === 'S');
  if (!shipment) return missing(ctx, 'HL', 'an ASN starts with a shipment level (HL*…*S)');
  const byId = new Map(tree.map((l) => [l.id, l]));
  const ancestor = (l: Level, codes: string[]): Level | undefined => {
    for (let p = byId.get(l.parent); p; p = byId.get(p.parent)) if (codes.includes(p.code)) return p;
    return undefined;
  };
  const s = shipment.segments;
  const dtm = (q: string) => s.find((x) => x.id === 'DTM' && x.e[1] === q);
  const shippedDtm = dtm('011');
  const shippedAt = shippedDtm ? timestamp(ctx, shippedDtm, 2, 3) : timestamp(ctx, bsn, 3, 4);
  const deliveryDtm = dtm('017') ?? dtm('067');
  const expectedDeliveryAt = deliveryDtm ? timestamp(ctx, deliveryDtm, 2, 3) : shippedAt;
  const parties = partyLoops(s);
  const shipToLocationId = locationOf(ctx, parties.get('ST'));
  const td5 = s.find((x) => x.id === 'TD5');
  const tracking = s.find((x) => x.id === 'REF' && x.e[1] === 'CN')?.e[2];
  const scac = td5?.e[2] === '2' && td5.e[3] ? td5.e[3] : undefined;
  const carrierName = td5?.e[5] || scac;
  if (td5) from(ctx, '/carrier', td5);

  const poNumbers: string[] = [];
  const packages: AsnReceived['packages'] = [];
  const packIndex = new Map<string, number>();
  for (const order of tree.filter((l) => l.code === 'O')) {
    const prf = order.segments.find((x) => x.id === 'PRF');
    if (!prf?.e[1]) bad(ctx, prf ?? order.hl, 1, '1', 'an order level needs the PO number (PRF01)');
    else if (!poNumbers.includes(prf.e[1])) poNumbers.push(prf.e[1]);
  }
  for (const item of tree.filter((l) => l.code === 'I')) {
    const lin = item.segments.find((x) => x.id === 'LIN');
    const sn1 = item.segments.find((x) => x.id === 'SN1');
    if (!lin) {
      missing(ctx, 'LIN', `item level HL ${item.id} needs a LIN segment`);
      continue;
    }
    if (!sn1) {
      missing(ctx, 'SN1', `item level HL ${item.id} needs the shipped quantity (SN1)`);
      continue;
    }
    const order = ancestor(item, ['O']);
    const pack = ancestor(item, ['P', 'T']);
    const po = order?.segments.find((x) => x.id === 'PRF')?.e[1];
    const man = pack?.segments.find((x) => x.id === 'MAN' && (x.e[1] === 'GM' || x.e[1] === 'AA'));
    // an SSCC may carry its GS1 application identifier 00 in front
    const sscc = man?.e[2]?.length === 20 && man.e[2].startsWith('00') ? man.e[2].slice(2) : man?.e[2];
    if (!po)
      bad(ctx, item.hl, 2, '7', `item level HL ${item.id} is not under an order level with a PO number`);
    if (!man || !sscc)
      bad(ctx, item.hl, 2, '7', `item level HL ${item.id} is not inside a pack with an SSCC (MAN*GM)`);
    const ids = itemIds(lin, 2);
    if (!ids.sku) bad(ctx, lin, 3, '1', 'the buyer’s part number (BP) is required: it is the SKU');
    if (!lin.e[1]) bad(ctx, lin, 1, '1', 'LIN01 must name the PO line');
    const value = quantity(ctx, sn1, 2);
    const uom = unit(ctx, sn1, 3);
    const bestBeforeDtm = item.segments.find((x) => x.id === 'DTM' && x.e[1] === '036');
    const bestBefore = bestBeforeDtm ? date(ctx, bestBeforeDtm, 2) : undefined;
    const lot = ids.lot ?? item.segments.find((x) => x.id === 'REF' && x.e[1] === 'LT')?.e[2];
    if (!po || !man || !sscc || !ids.sku || !lin.e[1] || value === undefined || uom === undefined) continue;
    let k = packIndex.get(pack!.id);
    if (k === undefined) {
      k = packages.length;
      packIndex.set(pack!.id, k);
      packages.push({ sscc, lines: [] });
      from(ctx, `/packages/${k}`, man);
    }
    from(ctx, `/packages/${k}/lines/${packages[k]!.lines.length}`, lin);
    packages[k]!.lines.push({
      poNumber: po,
      poLineNumber: lin.e[1],
      sku: ids.sku,
      ...(ids.gtin ? { gtin: ids.gtin } : {}),
      quantity: { value, uom },
      ...(lot ? { lot } : {}),
      ...(bestBefore ? { bestBefore } : {}),
    });
  }
  if (packages.length === 0 && ctx.problems.length === 0)
    missing(ctx, 'HL', 'an ASN has at least one item level (HL*…*I) inside a pack');
  if (ctx.problems.length > 0 || !shippedAt || !expectedDeliveryAt || !shipToLocationId) return undefined;
  return {
    asnNumber: bsn.e[2] ?? '',
    supplierId: supplierIdOf(ctx, parties.get('SF') ?? parties.get('SU') ?? parties.get('VN')),
    poNumbers,
    shipToLocationId,
    shippedAt,
    expectedDeliveryAt,
    ...(carrierName
      ? {
          carrier: {
            name: carrierName,
            ...(scac ? { scac } : {}),
            ...(td5?.e[4] && TRANSPORT_METHODS[td5.e[4]] ? { service: TRANSPORT_METHODS[td5.e[4]]! } : {}),
            ...(tracking ? { trackingNumber: tracking } : {}),
          },
        }
      : {}),
    packages,
    x12: envelopeOf(ctx, '856'),
  };
}
