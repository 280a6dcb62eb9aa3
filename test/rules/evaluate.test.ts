import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApplicationFailure, ValidationError } from '../../src/core/index.js';
import { decisionFor, evaluate, tableIssues, tableVersion } from '../../src/rules/index.js';
import { num, str, table } from './tables.js';

const failure = (type: string, message: RegExp) => (err: unknown) =>
  err instanceof ApplicationFailure && err.type === type && !err.retryable && message.test(err.message);
const invalid = (message: RegExp, path?: string) => (err: unknown) =>
  err instanceof ValidationError &&
  message.test(err.message) &&
  (path === undefined || err.issues.some((i) => i.path === path));

describe('hit policies', () => {
  const discount = (hitPolicy: Parameters<typeof table>[0]) =>
    table(
      hitPolicy,
      [str('Tier', 'customer.tier'), num('Total', 'order.total')],
      [{ name: 'discount', typeRef: 'number' }],
      [
        ['gold', ['"gold"', '-'], ['10']],
        ['big', ['-', '>= 1000'], ['5']],
        ['small', ['-', '< 1000'], ['0']],
      ],
    );
  const facts = (tier: string, total: number) => ({ customer: { tier }, order: { total } });

  test('UNIQUE returns the one matching rule, null when none matches, and names the rules when several match', () => {
    const t = table(
      'UNIQUE',
      [num('Total', 'order.total')],
      [{ name: 'approval', typeRef: 'string' }],
      [
        ['low', ['< 100'], ['"auto"']],
        ['mid', ['[100..500]'], ['"manager"']],
        ['high', ['> 400'], ['"finance"']],
      ],
    );
    const one = evaluate(t, { order: { total: 50 } });
    assert.deepEqual(one.outputs, { approval: 'auto' });
    assert.deepEqual(one.matchedRules, ['low']);
    assert.deepEqual(one.hitRules, ['low']);
    assert.deepEqual(evaluate(t, { order: { total: 600 } }).outputs, { approval: 'finance' });
    const none = evaluate(
      table('UNIQUE', [num('x')], [{ name: 'y', typeRef: 'number' }], [['a', ['> 5'], ['1']]]),
      {
        x: 1,
      },
    );
    assert.equal(none.outputs, null);
    assert.deepEqual(none.matchedRules, []);
    assert.throws(
      () => evaluate(t, { order: { total: 450 } }),
      failure('RuleConflict', /decision "test-table" \(UNIQUE\): rules "mid", "high" all match/),
    );
  });

  test('UNIQUE in strict mode turns no match into a NoMatchingRule failure', () => {
    const t = table('UNIQUE', [num('x')], [{ name: 'y', typeRef: 'number' }], [['a', ['> 5'], ['1']]]);
    assert.throws(
      () => evaluate(t, { x: 1 }, { strict: true }),
      failure('NoMatchingRule', /decision "test-table" \(UNIQUE\): no rule matches/),
    );
    // other policies answer "nothing" even in strict mode
    const first = { ...t, hitPolicy: 'FIRST' as const };
    assert.equal(evaluate(first, { x: 1 }, { strict: true }).outputs, null);
  });

  test('FIRST takes the first matching rule in rule order', () => {
    const r = evaluate(discount('FIRST'), facts('gold', 2000));
    assert.deepEqual(r.outputs, { discount: 10 });
    assert.deepEqual(r.matchedRules, ['gold', 'big']);
    assert.deepEqual(r.hitRules, ['gold']);
    assert.deepEqual(evaluate(discount('FIRST'), facts('silver', 2000)).outputs, { discount: 5 });
  });

  test('RULE ORDER lists every match in rule order; COLLECT lists them too', () => {
    assert.deepEqual(evaluate(discount('RULE ORDER'), facts('gold', 2000)).outputs, [
      { discount: 10 },
      { discount: 5 },
    ]);
    assert.deepEqual(evaluate(discount('COLLECT'), facts('gold', 10)).outputs, [
      { discount: 10 },
      { discount: 0 },
    ]);
    assert.deepEqual(evaluate(discount('RULE ORDER'), facts('silver', 10)).hitRules, ['small']);
  });

  test('COLLECT aggregates a single output with SUM, MIN, MAX and COUNT, and answers no match like FEEL', () => {
    const points = (aggregation: 'SUM' | 'MIN' | 'MAX' | 'COUNT') =>
      table(
        'COLLECT',
        [str('Segment', 'segment'), num('Overdue', 'daysOverdue')],
        [{ name: 'points', typeRef: 'number' }],
        [
          ['new', ['"new"', '-'], ['30']],
          ['overdue', ['-', '> 0'], ['15.5']],
          ['long', ['-', '> 30'], ['40']],
          ['tenths', ['"new"', '-'], ['0.1']],
          ['tenths2', ['"new"', '-'], ['0.2']],
        ],
        { aggregation },
      );
    const f = { segment: 'new', daysOverdue: 45 };
    assert.equal(evaluate(points('SUM'), f).outputs, 85.8); // decimal sum: no 85.80000000000001
    assert.equal(evaluate(points('MIN'), f).outputs, 0.1);
    assert.equal(evaluate(points('MAX'), f).outputs, 40);
    assert.equal(evaluate(points('COUNT'), f).outputs, 5);
    const none = { segment: 'retail', daysOverdue: 0 };
    assert.equal(evaluate(points('SUM'), none).outputs, null);
    assert.equal(evaluate(points('MIN'), none).outputs, null);
    assert.equal(evaluate(points('MAX'), none).outputs, null);
    assert.equal(evaluate(points('COUNT'), none).outputs, 0);
    assert.deepEqual(evaluate(points('SUM'), none).matchedRules, []);
  });

  test('MIN and MAX also order strings and dates', () => {
    const t = table(
      'COLLECT',
      [num('x')],
      [{ name: 'due', typeRef: 'date' }],
      [
        ['a', ['> 0'], ['date("2024-05-01")']],
        ['b', ['> 1'], ['date("2024-03-15")']],
      ],
      { aggregation: 'MIN' },
    );
    assert.equal(evaluate(t, { x: 5 }).outputs, '2024-03-15');
    assert.equal(evaluate({ ...t, aggregation: 'MAX' }, { x: 5 }).outputs, '2024-05-01');
  });

  test('ANY accepts several matches that agree and refuses matches that disagree', () => {
    const t = table(
      'ANY',
      [num('Age', 'age'), str('Status', 'status')],
      [{ name: 'eligible', typeRef: 'boolean' }],
      [
        ['adult', ['>= 18', '-'], ['true']],
        ['member', ['-', '"member"'], ['true']],
        ['blocked', ['-', '"blocked"'], ['false']],
      ],
    );
    const agree = evaluate(t, { age: 30, status: 'member' });
    assert.deepEqual(agree.outputs, { eligible: true });
    assert.deepEqual(agree.matchedRules, ['adult', 'member']);
    assert.throws(
      () => evaluate(t, { age: 30, status: 'blocked' }),
      failure('RuleConflict', /rules "adult" and "blocked" match with different outputs/),
    );
  });

  const severity = (hitPolicy: 'PRIORITY' | 'OUTPUT ORDER') =>
    table(
      hitPolicy,
      [num('Margin', 'margin'), str('Category', 'category')],
      [
        { name: 'decision', typeRef: 'string', allowedValues: ['reject', 'review', 'approve'] },
        { name: 'note', typeRef: 'string' },
      ],
      [
        ['ok', ['>= 20', '-'], ['"approve"', '"floor met"']],
        ['thin', ['< 20', '-'], ['"review"', '"below floor"']],
        ['grocery', ['>= 10', '"grocery"'], ['"approve"', '"grocery floor"']],
        ['loss', ['< 0', '-'], ['"reject"', '"below cost"']],
      ],
    );

  test('PRIORITY returns the match whose output comes first in the allowed values, whatever the rule order', () => {
    const r = evaluate(severity('PRIORITY'), { margin: -5, category: 'apparel' });
    assert.deepEqual(r.outputs, { decision: 'reject', note: 'below cost' });
    assert.deepEqual(r.matchedRules, ['thin', 'loss']);
    assert.deepEqual(r.hitRules, ['loss']);
    // equal priority: rule order breaks the tie
    assert.deepEqual(evaluate(severity('PRIORITY'), { margin: 25, category: 'grocery' }).outputs, {
      decision: 'approve',
      note: 'floor met',
    });
  });

  test('OUTPUT ORDER lists every match by output priority, ties in rule order', () => {
    const r = evaluate(severity('OUTPUT ORDER'), { margin: 12, category: 'grocery' });
    assert.deepEqual(r.outputs, [
      { decision: 'review', note: 'below floor' },
      { decision: 'approve', note: 'grocery floor' },
    ]);
    assert.deepEqual(r.hitRules, ['thin', 'grocery']);
    assert.deepEqual(
      (
        evaluate(severity('OUTPUT ORDER'), { margin: -1, category: 'x' }).outputs as Array<{
          decision: string;
        }>
      ).map((o) => o.decision),
      ['reject', 'review'],
    );
  });

  test('a rule producing a value outside the allowed values fails, naming the rule and output', () => {
    const t = table(
      'FIRST',
      [num('x')],
      [{ name: 'level', typeRef: 'string', allowedValues: ['high', 'low'] }],
      [['computed', ['-'], ['if x > 5 then "high" else "medium"']]],
    );
    assert.deepEqual(evaluate(t, { x: 9 }).outputs, { level: 'high' });
    assert.throws(
      () => evaluate(t, { x: 1 }),
      failure(
        'DecisionTableError',
        /rule "computed", output "level": "medium" is not one of the allowed values/,
      ),
    );
  });
});

describe('inputs are type-checked before any rule is tested', () => {
  const limits = table(
    'UNIQUE',
    [str('Channel', 'order.channel'), num('Order total', 'order.total')],
    [{ name: 'approval', typeRef: 'string' }],
    [
      ['small', ['-', '< 10'], ['"auto"']],
      ['large', ['-', '>= 10'], ['"manager"']],
    ],
  );

  test('a string where a number is declared is rejected, not compared loosely', () => {
    // feelin alone would answer "5" < 10 with true
    assert.throws(
      () => evaluate(limits, { order: { channel: 'web', total: '5' } }),
      invalid(/input "Order total" \(order.total\) must be a number, got the string "5"/, '/order/total'),
    );
    assert.throws(
      () => evaluate(limits, { order: { channel: 7, total: 5 } }),
      invalid(/input "Channel" \(order.channel\) must be a string, got the number 7/, '/order/channel'),
    );
  });

  test('a missing or null input is rejected, and every bad input is reported at once', () => {
    assert.throws(
      () => evaluate(limits, { order: { channel: 'web' } }),
      invalid(/input "Order total" \(order.total\) is missing/, '/order/total'),
    );
    assert.throws(
      () => evaluate(limits, {}),
      (err: unknown) => err instanceof ValidationError && err.issues.length === 2,
    );
    assert.throws(() => evaluate(limits, { order: { channel: 'web', total: null } }), invalid(/is missing/));
    assert.throws(() => evaluate(limits, [] as never), invalid(/the facts must be an object/));
  });

  test('booleans and dates are checked too; dates compare as dates', () => {
    const t = table(
      'FIRST',
      [
        { label: 'Purchased', expression: 'purchasedOn', typeRef: 'date' },
        { label: 'Member', expression: 'member', typeRef: 'boolean' },
      ],
      [{ name: 'window', typeRef: 'string' }],
      [
        ['recent_member', ['>= date("2024-06-01")', 'true'], ['"extended"']],
        ['recent', ['[date("2024-06-01")..date("2024-12-31")]', '-'], ['"standard"']],
        ['old', ['-', '-'], ['"closed"']],
      ],
    );
    assert.deepEqual(evaluate(t, { purchasedOn: '2024-07-04', member: true }).outputs, {
      window: 'extended',
    });
    assert.deepEqual(evaluate(t, { purchasedOn: '2024-07-04', member: false }).outputs, {
      window: 'standard',
    });
    assert.deepEqual(evaluate(t, { purchasedOn: '2023-01-01', member: true }).outputs, { window: 'closed' });
    assert.equal(evaluate(t, { purchasedOn: '2024-07-04', member: true }).inputs.in1, '2024-07-04');
    assert.throws(
      () => evaluate(t, { purchasedOn: '2024-07-04', member: 'yes' }),
      invalid(/input "Member" \(member\) must be a boolean, got the string "yes"/),
    );
    assert.throws(
      () => evaluate(t, { purchasedOn: '04/07/2024', member: true }),
      invalid(/must be a date \(YYYY-MM-DD\), got the string "04\/07\/2024"/),
    );
    assert.throws(() => evaluate(t, { purchasedOn: '2024-02-30', member: true }), invalid(/must be a date/));
  });

  test('an entry or output using a fact the caller did not give is bad input, not a silent non-match', () => {
    const t = table(
      'FIRST',
      [num('Exposure', 'exposure')],
      [{ name: 'headroom', typeRef: 'number' }],
      [['within', ['<= credit.limit'], ['credit.limit - exposure']]],
    );
    assert.deepEqual(evaluate(t, { exposure: 100, credit: { limit: 500 } }).outputs, { headroom: 400 });
    assert.throws(
      () => evaluate(t, { exposure: 100 }),
      invalid(/rule "within", input "Exposure" entry "<= credit.limit" needs facts that are missing/),
    );
  });

  test('output values are checked against their declared type', () => {
    const t = table('FIRST', [num('x')], [{ name: 'label', typeRef: 'string' }], [['r', ['-'], ['x * 2']]]);
    assert.throws(
      () => evaluate(t, { x: 2 }),
      failure('DecisionTableError', /rule "r", output "label": must be a string, got the number 4/),
    );
  });
});

describe('tables are checked when loaded', () => {
  test('literals of the wrong type, FEEL that does not parse and a broken shape are all reported', () => {
    const t = table(
      'UNIQUE',
      [num('Total', 'order.total'), str('Channel', 'order.channel')],
      [{ name: 'approval', typeRef: 'string' }],
      [
        ['quoted_number', ['< "100"', '-'], ['"auto"']],
        ['number_for_string', ['-', '5'], ['"auto"']],
        ['broken_test', ['[1..', '-'], ['"auto"']],
        ['broken_output', ['-', '-'], ['"auto" +']],
        ['wrong_output_type', ['-', '-'], ['42']],
        ['short', ['-'], ['"auto"']],
      ],
    );
    const messages = tableIssues(t).map((i) => `${i.path} ${i.message}`);
    assert.deepEqual(messages, [
      '/rules/0/inputEntries/0 rule "quoted_number", input "Total": "< "100"" compares the number input with a string; write the value as a number literal',
      '/rules/1/inputEntries/1 rule "number_for_string", input "Channel": "5" compares the string input with a number; write the value as a string literal',
      messages[2]!,
      messages[3]!,
      '/rules/4/outputEntries/0 rule "wrong_output_type", output "approval": "42" must be a string, got the number 42',
      '/rules/5/inputEntries rule "short" needs 2 input entries, one per input',
    ]);
    assert.match(
      messages[2]!,
      /^\/rules\/2\/inputEntries\/0 rule "broken_test", input "Total": "\[1\.\." is not a valid FEEL unary test/,
    );
    assert.match(
      messages[3]!,
      /^\/rules\/3\/outputEntries\/0 rule "broken_output", output "approval": ""auto" \+" is not valid FEEL/,
    );
    assert.throws(
      () => evaluate(t, { order: { total: 1, channel: 'web' } }),
      invalid(/decision "test-table" has 6 problems/),
    );
  });

  test('hit policy requirements: aggregation only on COLLECT with one output, SUM on numbers, priorities need allowed values', () => {
    const two = [
      { name: 'a', typeRef: 'number' as const },
      { name: 'b', typeRef: 'number' as const },
    ];
    const msgs = (t: ReturnType<typeof table>) => tableIssues(t).map((i) => i.message);
    assert.deepEqual(msgs(table('FIRST', [], [two[0]!], [], { aggregation: 'SUM' })), [
      'aggregation SUM needs hit policy COLLECT, not FIRST',
    ]);
    assert.deepEqual(msgs(table('COLLECT', [], two, [], { aggregation: 'MAX' })), [
      'aggregation MAX works on a single output; the table has 2',
    ]);
    assert.deepEqual(
      msgs(table('COLLECT', [], [{ name: 's', typeRef: 'string' }], [], { aggregation: 'SUM' })),
      ['aggregation SUM needs a number output, not string'],
    );
    assert.deepEqual(msgs(table('PRIORITY', [], two, [])), [
      'hit policy PRIORITY ranks rules by output values: list them on an output',
    ]);
    assert.deepEqual(msgs(table('SOMETIMES' as never, [], two, [])), [
      'hit policy "SOMETIMES" is not one of UNIQUE, FIRST, PRIORITY, ANY, COLLECT, RULE ORDER, OUTPUT ORDER',
    ]);
    assert.deepEqual(msgs(table('FIRST', [{ label: 'x', expression: 'x' } as never], two, [])), [
      'input "x" needs a type (typeRef): one of string, number, boolean, date',
    ]);
  });

  test('decisionFor checks the table at once and versions unversioned tables by content', () => {
    const t = table('UNIQUE', [num('x')], [{ name: 'y', typeRef: 'number' }], [['a', ['> 1'], ['1']]]);
    const logic = decisionFor(t);
    assert.equal(logic.id, 'test-table');
    assert.match(String(logic.version), /^sha256:[0-9a-f]{16}$/);
    assert.equal(tableVersion(structuredClone(t)), logic.version, 'the same content has the same version');
    const changed = structuredClone(t);
    changed.rules[0]!.outputEntries = ['2'];
    assert.notEqual(tableVersion(changed), logic.version);
    assert.equal(decisionFor({ ...t, version: 7 }).version, 7);
    assert.deepEqual(logic.evaluate({ x: 5 }), { outputs: { y: 1 }, matchedRules: ['a'] });
    assert.throws(() => logic.evaluate({ x: 0 }), failure('NoMatchingRule', /no rule matches/));
    assert.throws(
      () =>
        decisionFor(
          table('UNIQUE', [num('x')], [{ name: 'y', typeRef: 'number' }], [['a', ['< "1"'], ['1']]]),
        ),
      invalid(/compares the number input with a string/),
    );
  });
});
