import { Type } from '@sinclair/typebox';
import type { ValidationIssue } from '../../core/index.js';
import type { SimContext } from '../context.js';
import type { SystemRoutes } from '../http.js';
import { cents } from '../random.js';
import type { AccountingDocument } from '../state.js';
import { parse } from '../validate.js';
import { closed, Id, IsoDate, Money, rejection } from './schemas.js';

/** The chart of accounts: G/L account number to name. Receivables lines name a customer. */
export const ACCOUNTS: Record<string, string> = {
  '100000': 'Bank',
  '110000': 'Trade receivables',
  '140000': 'Inventory',
  '160000': 'GR/IR clearing',
  '175000': 'Output VAT',
  '200000': 'Trade payables',
  '400000': 'Sales revenue',
  '410000': 'Sales returns and refunds',
  '500000': 'Cost of goods sold',
  '510000': 'Inventory differences',
};
export const RECEIVABLES = '110000';

const Posting = closed({
  documentDate: Type.Optional(IsoDate),
  reference: Type.Optional(Id),
  currency: Type.Optional(Type.String({ minLength: 3, maxLength: 3 })),
  text: Type.Optional(Type.String({ maxLength: 200 })),
  lines: Type.Array(
    closed({
      account: Type.String({ minLength: 1, maxLength: 10 }),
      debit: Type.Optional(Money),
      credit: Type.Optional(Money),
      customerId: Type.Optional(Id),
      text: Type.Optional(Type.String({ maxLength: 200 })),
    }),
    { minItems: 2, maxItems: 500 },
  ),
});

const PostingQuery = closed({ reference: Type.Optional(Id) });

/** Financial postings: balanced documents on known accounts; receivables move customers' exposure. */
export function postingRoutes(r: SystemRoutes, ctx: SimContext): void {
  const { index, state } = ctx;

  r.post('/postings', Posting, (body) => {
    const issues: ValidationIssue[] = [];
    if (body.currency !== undefined && body.currency !== index.estate.currency)
      issues.push({
        path: '/currency',
        message: `the company code books in ${index.estate.currency}, not ${body.currency}`,
      });
    let debit = 0;
    let credit = 0;
    body.lines.forEach((l, i) => {
      const at = `/lines/${i}`;
      if (!(l.account in ACCOUNTS))
        issues.push({
          path: `${at}/account`,
          message: `no G/L account ${l.account} in the chart of accounts`,
        });
      const d = l.debit ?? 0;
      const c = l.credit ?? 0;
      if (d > 0 === c > 0)
        issues.push({ path: at, message: 'a line carries either a debit or a credit amount above zero' });
      if (l.account === RECEIVABLES && l.customerId === undefined)
        issues.push({ path: `${at}/customerId`, message: 'a receivables line names the customer' });
      if (l.customerId !== undefined && !index.customers.has(l.customerId))
        issues.push({ path: `${at}/customerId`, message: `unknown customer ${l.customerId}` });
      debit += d;
      credit += c;
    });
    if (issues.length > 0) throw rejection('invalid-posting', issues);
    debit = cents(debit);
    credit = cents(credit);
    if (debit !== credit)
      throw rejection(
        'unbalanced-posting',
        [
          {
            path: '/lines',
            message: `debits ${debit} and credits ${credit} differ by ${cents(debit - credit)}`,
          },
        ],
        {
          debit,
          credit,
        },
      );
    for (const l of body.lines)
      if (l.account === RECEIVABLES && l.customerId)
        state.addExposure(l.customerId, (l.debit ?? 0) - (l.credit ?? 0));
    const postingDate = (body.documentDate ?? state.nowIso()).slice(0, 10);
    const doc: AccountingDocument = {
      documentNumber: state.numbers.next('0100000000'),
      fiscalYear: Number(postingDate.slice(0, 4)),
      postingDate,
      ...(body.reference ? { reference: body.reference } : {}),
      currency: index.estate.currency,
      lines: body.lines.map((l) => ({
        account: l.account,
        debit: cents(l.debit ?? 0),
        credit: cents(l.credit ?? 0),
        ...(l.customerId ? { customerId: l.customerId } : {}),
        ...(l.text ? { text: l.text } : {}),
      })),
    };
    state.postings.push(doc);
    return { status: 201, body: { ...doc, companyCode: '1000', total: debit } };
  });

  r.get('/postings', (req) => {
    const q = parse(PostingQuery, req.query, 'query');
    return {
      postings: state.postings.filter((p) => q.reference === undefined || p.reference === q.reference),
    };
  });
}
