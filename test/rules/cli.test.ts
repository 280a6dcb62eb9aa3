import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { parseDmn, toDmnXml } from '../../src/rules/index.js';
import { tempDir } from '../helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ORDERS = join(ROOT, 'rules', 'order-fulfilment.dmn');
const TRANSFERS = join(ROOT, 'rules', 'transfer-policy.dmn');
const dir = tempDir();

async function baton(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const approval = ['rules', 'eval', ORDERS, '--decision', 'order-approval-limits'];

test('rules eval prints the result as JSON', async () => {
  const r = await baton(...approval, '--input', '{"order":{"channel":"web","total":7500}}');
  assert.equal(r.code, 0, r.err);
  const result = JSON.parse(r.out);
  assert.deepEqual(result.outputs, { approval: 'manager', approverRole: 'ecommerce-manager' });
  assert.deepEqual(result.matchedRules, ['order-approval-limits_web_manager']);
  assert.equal(result.version, 1);
  assert.equal(result.hitPolicy, 'UNIQUE');

  const facts = join(dir, 'transfer.json');
  writeFileSync(
    facts,
    JSON.stringify({ transfer: { value: 300, qty: 5, distanceKm: 400, sameRegion: false } }),
  );
  const single = await baton('rules', 'eval', TRANSFERS, '--input-file', facts);
  assert.equal(single.code, 0, single.err);
  assert.equal(
    JSON.parse(single.out).outputs.reason,
    'small transfer',
    '--decision is optional for a one-decision file',
  );
});

test('a UNIQUE table with no match or several matches exits 1 with one clear line', async () => {
  const none = await baton(...approval, '--input', '{"order":{"channel":"fax","total":10}}');
  assert.equal(none.code, 1);
  assert.equal(none.out, '');
  assert.equal(none.err, 'baton: decision "order-approval-limits" (UNIQUE): no rule matches these facts');

  const overlapping = join(dir, 'overlap.dmn');
  const defs = await parseDmn(
    `<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="urn:t">
      <decision id="limits" name="Limits"><decisionTable id="t">
        <input id="i" label="Total"><inputExpression id="e" typeRef="number"><text>total</text></inputExpression></input>
        <output id="o" name="approval" typeRef="string"/>
        <rule id="up_to_500"><inputEntry id="a"><text>&lt;= 500</text></inputEntry><outputEntry id="b"><text>"auto"</text></outputEntry></rule>
        <rule id="from_400"><inputEntry id="c"><text>&gt;= 400</text></inputEntry><outputEntry id="d2"><text>"manager"</text></outputEntry></rule>
      </decisionTable></decision>
    </definitions>`,
  );
  assert.equal(defs.decisions.length, 1);
  writeFileSync(overlapping, await toDmnXml(defs));
  const several = await baton('rules', 'eval', overlapping, '--input', '{"total":450}');
  assert.equal(several.code, 1);
  assert.equal(
    several.err,
    'baton: decision "limits" (UNIQUE): rules "up_to_500", "from_400" all match; a UNIQUE table allows at most one',
  );
  assert.equal((await baton('rules', 'eval', overlapping, '--input', '{"total":100}')).code, 0);
});

test('bad input exits 2 with one line saying what was wrong and where', async () => {
  const badXml = join(dir, 'broken.dmn');
  writeFileSync(
    badXml,
    '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d">\n<decision id="a">\n</definitions>',
  );
  const cases: Array<[string[], RegExp]> = [
    [
      ['rules', 'eval', join(dir, 'missing.dmn'), '--input', '{}'],
      /^baton: cannot read .*missing\.dmn: no such file$/,
    ],
    [
      ['rules', 'eval', badXml, '--input', '{}'],
      /^baton: .*broken\.dmn is not valid DMN XML: line 3, column 1: /,
    ],
    [
      ['rules', 'eval', ORDERS, '--decision', 'nope', '--input', '{}'],
      /^baton: .*order-fulfilment\.dmn has no decision "nope"; its decisions are: order-approval-limits, order-price-tolerance, order-risk-score, credit-routing, order-wms-priority$/,
    ],
    [['rules', 'eval', ORDERS, '--input', '{}'], /holds 5 decisions; choose one with --decision/],
    [[...approval, '--input', '{"order":'], /^baton: --input is not valid JSON: /],
    [[...approval, '--input', '[1,2]'], /^baton: --input must be a JSON object of facts/],
    [[...approval], /^baton: give the facts with either --input JSON or --input-file FILE$/],
    [
      [...approval, '--input-file', join(dir, 'none.json')],
      /^baton: cannot read .*none\.json: no such file$/,
    ],
    [
      [...approval, '--input', '{"order":{"channel":"web","total":"7500"}}'],
      /^baton: decision "order-approval-limits": input "Order total" \(order\.total\) must be a number, got the string "7500"$/,
    ],
    [
      [...approval, '--input', '{"order":{"channel":"web"}}'],
      /input "Order total" \(order\.total\) is missing$/,
    ],
  ];
  for (const [args, expected] of cases) {
    const r = await baton(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.equal(r.err.split('\n').length, 1, `one line for ${args.join(' ')}`);
    assert.match(r.err, expected);
    assert.equal(r.out, '');
  }
});

test('the installed command exits with the same codes', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, 'bin', 'baton.js'), ...args], {
      encoding: 'utf8',
      timeout: 60_000,
    });
  const ok = run(...approval, '--input', '{"order":{"channel":"pos","total":100}}');
  assert.equal(ok.status, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout).outputs, { approval: 'auto', approverRole: null });
  assert.equal(run(...approval, '--input', '{"order":{"channel":"fax","total":100}}').status, 1);
  const bad = run(...approval, '--input', 'nope');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^baton: --input is not valid JSON/);
});

test('rules show prints tables as text; rules export prints DMN 1.3 or the model as JSON', async () => {
  const show = await baton('rules', 'show', ORDERS, '--decision', 'order-risk-score');
  assert.equal(show.code, 0, show.err);
  assert.match(
    show.out,
    /^Order credit risk score \(order-risk-score, version 1\), hit policy COLLECT SUM$/m,
  );
  assert.match(
    show.out,
    /^inputs: {2}Customer segment = customer\.segment \(string\); Channel = order\.channel \(string\)/m,
  );
  assert.match(
    show.out,
    /^RULE\s+CUSTOMER SEGMENT\s+CHANNEL\s+CREDIT USED AFTER THIS ORDER %\s+DAYS OVERDUE\s+→ POINTS\s+DESCRIPTION$/m,
  );
  assert.match(
    show.out,
    /^order-risk-score_over_limit\s+-\s+-\s+> 100\s+-\s+50\s+The order takes the account over its credit limit$/m,
  );
  const all = await baton('rules', 'show', ORDERS);
  assert.equal(all.out.match(/, hit policy /g)?.length, 5);

  const xml = await baton('rules', 'export', TRANSFERS);
  assert.equal(xml.code, 0);
  assert.match(
    xml.out,
    /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<definitions xmlns="https:\/\/www\.omg\.org\/spec\/DMN\/20191111\/MODEL\/"/,
  );
  assert.deepEqual(await parseDmn(xml.out), await parseDmn(readFileSync(TRANSFERS, 'utf8')));
  const model = JSON.parse((await baton('rules', 'export', TRANSFERS, '--json')).out);
  assert.equal(model.decisions[0].id, 'transfer-approval');
  assert.equal(model.decisions[0].rules.length, 6);
});
