/**
 * The 810 invoice, read into `invoice.posted` (a payable).
 *
 * BIG gives the invoice date and number and the PO; N1*RE/SE/SU/II the supplier; ITD the due
 * date (ITD06, or the invoice date plus ITD07 days; the invoice date when there is no ITD); IT1
 * lines with PID*F descriptions (the SKU stands in without one); TXI the taxes; TDS01 the total in
 * implied cents. Line amounts and the subtotal are computed exactly from quantity × price. The
 * ERP document is REF*IL when present, else the EDI document itself.
 */
import type { InvoicePosted } from '../../contracts/index.js';
import { fromImpliedCents, fromUnits, times, toUnits } from './decimal.js';
import {
  amount,
  bad,
  currency,
  date,
  envelopeOf,
  from,
  groupTime,
  itemIds,
  missing,
  partyLoops,
  quantity,
  type ReadContext,
  supplierIdOf,
  unit,
} from './read.js';

const addDays = (iso: string, days: number) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export function read810(ctx: ReadContext): InvoicePosted | undefined {
  const body = ctx.set.body;
  const big = body.find((s) => s.id === 'BIG');
  if (!big) return missing(ctx, 'BIG', 'the beginning segment with the invoice number is required');
  from(ctx, '/invoiceNumber', big);
  const invoiceDate = date(ctx, big, 1);
  if (!big.e[2]) bad(ctx, big, 2, '1', 'the invoice number is required');
  const cur = currency(
    ctx,
    body.find((s) => s.id === 'CUR'),
  );
  if (!cur) missing(ctx, 'CUR', 'amounts need a currency (CUR02, or one in the partner profile)');
  const parties = partyLoops(body);
  const seller = parties.get('RE') ?? parties.get('SE') ?? parties.get('SU') ?? parties.get('II');

  const itd = body.find((s) => s.id === 'ITD');
  let dueDate = invoiceDate;
  if (itd?.e[6]) dueDate = date(ctx, itd, 6);
  else if (itd?.e[7] && invoiceDate) {
    const days = quantity(ctx, itd, 7);
    if (days !== undefined) dueDate = addDays(invoiceDate, days);
  }
  if (itd) from(ctx, '/dueDate', itd);

  const lines: InvoicePosted['lines'] = [];
  let subtotal = 0n;
  const it1s = body.map((s, i) => [s, i] as const).filter(([s]) => s.id === 'IT1');
  for (const [k, [it1, i]] of it1s.entries()) {
    const loop = body.slice(i + 1, it1s[k + 1]?.[1] ?? body.length);
    const ids = itemIds(it1, 6);
    const value = quantity(ctx, it1, 2);
    const uom = unit(ctx, it1, 3);
    const price = amount(ctx, it1, 4);
    const pid = loop.find((s) => s.id === 'PID' && s.e[5]);
    const description = pid?.e[5] ?? ids.sku ?? ids.gtin ?? ids.supplierItemId;
    if (!description) bad(ctx, it1, 7, '1', 'a line needs a description (PID*F) or a product id');
    if (value === undefined || uom === undefined || price === undefined || !description || !cur) continue;
    const lineAmount = times(String(value), price);
    subtotal += lineAmount;
    from(ctx, `/lines/${lines.length}`, it1);
    lines.push({
      lineNumber: it1.e[1] || String(lines.length + 1),
      ...(ids.sku ? { sku: ids.sku } : {}),
      description,
      quantity: { value, uom },
      unitPrice: { amount: price, currency: cur },
      amount: { amount: fromUnits(lineAmount), currency: cur },
    });
  }
  if (it1s.length === 0) missing(ctx, 'IT1', 'an invoice has at least one line');
  let tax = 0n;
  for (const txi of body.filter((s) => s.id === 'TXI' && s.e[2])) {
    const a = amount(ctx, txi, 2);
    if (a !== undefined) tax += toUnits(a);
  }
  const tds = body.find((s) => s.id === 'TDS');
  if (!tds) missing(ctx, 'TDS', 'the total (TDS01) is required');
  else if (!/^-?\d{1,15}$/.test(tds.e[1] ?? ''))
    bad(ctx, tds, 1, '6', `"${tds.e[1] ?? ''}" is not an amount in implied cents`);
  else from(ctx, '/total', tds);
  const postedAt = groupTime(ctx);
  if (ctx.problems.length > 0 || !tds || !cur || !invoiceDate || !dueDate || !postedAt) return undefined;

  const il = body.find((s) => s.id === 'REF' && s.e[1] === 'IL');
  const [system, documentType] = (il?.e[3] ?? '').split(';');
  const money = (units: bigint) => ({ amount: fromUnits(units), currency: cur });
  const invoiceNumber = big.e[2] ?? '';
  return {
    invoiceNumber,
    direction: 'payable',
    erpDocument: il
      ? {
          system: (system || 'edi-x12') as InvoicePosted['erpDocument']['system'],
          id: il.e[2] ?? '',
          ...(documentType ? { documentType } : {}),
        }
      : { system: 'edi-x12', id: `${ctx.ic.sender.id}/${invoiceNumber}`, documentType: 'supplier-invoice' },
    party: {
      id: supplierIdOf(ctx, seller),
      ...(seller?.name ? { name: seller.name } : {}),
      ...(seller?.gln ? { gln: seller.gln } : {}),
    },
    ...(big.e[4] ? { poNumber: big.e[4] } : {}),
    invoiceDate,
    dueDate,
    postedAt,
    lines,
    subtotal: money(subtotal),
    tax: money(tax),
    total: money(fromImpliedCents(tds.e[1] ?? '0')),
    x12: envelopeOf(ctx, '810'),
  };
}
