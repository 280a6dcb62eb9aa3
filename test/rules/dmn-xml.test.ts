import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ValidationError } from '../../src/core/index.js';
import {
  type Definitions,
  DMN13_NAMESPACE,
  defaultRulesDir,
  evaluate,
  parseDmn,
  toDmnXml,
} from '../../src/rules/index.js';

/** A file as a modeler writes it: default namespace, Camunda type names, empty cells, foreign prefix for Baton's attribute. */
const MODELER_XML = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:b="urn:baton:dmn:1.0" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" id="Definitions_1" name="Returns" namespace="http://example.com/returns">
  <inputData id="InputData_1" name="Return request" />
  <decision id="refund" name="Refund" b:version="v2-draft">
    <description>How a return is refunded</description>
    <decisionTable id="DecisionTable_1" hitPolicy="COLLECT" aggregation="MAX">
      <input id="Input_1" label="Days since purchase">
        <inputExpression id="InputExpression_1" typeRef="integer">
          <text>days</text>
        </inputExpression>
      </input>
      <input id="Input_2">
        <inputExpression id="InputExpression_2" typeRef="string">
          <text>channel</text>
        </inputExpression>
      </input>
      <output id="Output_1" label="Refund %" name="refundPct" typeRef="double" />
      <rule id="Rule_1">
        <description>Inside the window</description>
        <inputEntry id="UnaryTests_1"><text>&lt;= 30</text></inputEntry>
        <inputEntry id="UnaryTests_2"><text></text></inputEntry>
        <outputEntry id="LiteralExpression_1"><text>100</text></outputEntry>
      </rule>
      <rule id="Rule_2">
        <inputEntry id="UnaryTests_3"><text>]30..90]</text></inputEntry>
        <inputEntry id="UnaryTests_4"><text>"store","web"</text></inputEntry>
        <outputEntry id="LiteralExpression_2"><text>50</text></outputEntry>
      </rule>
      <rule id="Rule_3">
        <inputEntry id="UnaryTests_5"><text>-</text></inputEntry>
        <inputEntry id="UnaryTests_6"><text>"marketplace"</text></inputEntry>
        <outputEntry id="LiteralExpression_3"><text></text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
  <decision id="window" name="Window">
    <decisionTable id="DecisionTable_2" hitPolicy="PRIORITY">
      <input id="Input_3" label="Purchased on">
        <inputExpression id="InputExpression_3" typeRef="date"><text>purchasedOn</text></inputExpression>
      </input>
      <output id="Output_2" name="window" typeRef="string">
        <outputValues id="UnaryTests_7"><text>"closed", "open"</text></outputValues>
      </output>
      <rule id="Rule_4">
        <inputEntry id="UnaryTests_8"><text>&lt; date("2024-01-01")</text></inputEntry>
        <outputEntry id="LiteralExpression_4"><text>"closed"</text></outputEntry>
      </rule>
      <rule id="Rule_5">
        <inputEntry id="UnaryTests_9"><text>-</text></inputEntry>
        <outputEntry id="LiteralExpression_5"><text>"open"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
`;

test('a modeler file reads into the model: ids, labels, type aliases, empty cells, version, allowed values', async () => {
  const defs = await parseDmn(MODELER_XML, 'returns.dmn');
  assert.equal(defs.id, 'Definitions_1');
  assert.equal(defs.namespace, 'http://example.com/returns');
  assert.deepEqual(
    defs.decisions.map((d) => d.id),
    ['refund', 'window'],
    'input data carries no logic and is not a decision',
  );
  const refund = defs.decisions[0]!;
  assert.equal(refund.version, 'v2-draft');
  assert.equal(refund.description, 'How a return is refunded');
  assert.equal(refund.tableId, 'DecisionTable_1');
  assert.equal(refund.hitPolicy, 'COLLECT');
  assert.equal(refund.aggregation, 'MAX');
  assert.deepEqual(refund.inputs, [
    { id: 'Input_1', label: 'Days since purchase', expression: 'days', typeRef: 'number' },
    { id: 'Input_2', label: 'channel', expression: 'channel', typeRef: 'string' },
  ]);
  assert.deepEqual(refund.outputs, [
    { id: 'Output_1', name: 'refundPct', label: 'Refund %', typeRef: 'number' },
  ]);
  assert.deepEqual(refund.rules[0], {
    id: 'Rule_1',
    description: 'Inside the window',
    inputEntries: ['<= 30', '-'],
    outputEntries: ['100'],
  });
  assert.deepEqual(refund.rules[2]!.outputEntries, ['null']);
  assert.deepEqual(defs.decisions[1]!.outputs[0]!.allowedValues, ['closed', 'open']);
  assert.equal(evaluate(refund, { days: 20, channel: 'web' }).outputs, 100);
  assert.equal(evaluate(refund, { days: 60, channel: 'web' }).outputs, 50);
  assert.equal(evaluate(refund, { days: 60, channel: 'marketplace' }).outputs, null);
  assert.deepEqual(evaluate(defs.decisions[1]!, { purchasedOn: '2023-05-05' }).outputs, { window: 'closed' });
});

async function roundTrip(defs: Definitions): Promise<void> {
  const xml = await toDmnXml(defs);
  assert.match(xml, new RegExp(`<definitions xmlns="${DMN13_NAMESPACE}"`));
  const again = await parseDmn(xml);
  assert.deepEqual(again, defs);
  assert.equal(await toDmnXml(again), xml, 'writing is stable');
}

test('parse, export and parse again gives the same model, with ids, descriptions and a diagram shape per decision', async () => {
  const defs = await parseDmn(MODELER_XML);
  await roundTrip(defs);
  const xml = await toDmnXml(defs);
  for (const id of ['Definitions_1', 'refund', 'DecisionTable_1', 'Input_1', 'Output_1', 'Rule_1', 'Rule_5'])
    assert.match(xml, new RegExp(`id="${id}"`));
  assert.match(xml, /<dmndi:DMNShape id="DMNShape_refund" dmnElementRef="refund">/);
  assert.match(xml, /<dmndi:DMNShape id="DMNShape_window" dmnElementRef="window">/);
  assert.match(xml, /baton:version="v2-draft"/);
  assert.match(xml, /<text>"closed","open"<\/text>/);
});

test('every default rule file round-trips', async () => {
  const files = readdirSync(defaultRulesDir).filter((f) => f.endsWith('.dmn'));
  assert.ok(files.length >= 6);
  for (const f of files) await roundTrip(await parseDmn(readFileSync(join(defaultRulesDir, f), 'utf8'), f));
});

test('a model built in code exports to XML a modeler opens and reads back the same', async () => {
  const defs: Definitions = {
    id: 'pricing',
    name: 'Pricing',
    namespace: 'urn:test:pricing',
    decisions: [
      {
        id: 'markdown',
        name: 'Markdown',
        version: 3,
        hitPolicy: 'OUTPUT ORDER',
        inputs: [{ id: 'weeks', label: 'Weeks on hand', expression: 'stock.weeksOnHand', typeRef: 'number' }],
        outputs: [
          { id: 'pct', name: 'markdownPct', typeRef: 'number', allowedValues: [50, 30, 10] },
          { id: 'from', name: 'from', typeRef: 'date' },
        ],
        rules: [
          { id: 'slow', inputEntries: ['> 12'], outputEntries: ['30', 'date("2024-09-01")'] },
          { id: 'dead', description: 'Clear it', inputEntries: ['> 26'], outputEntries: ['50', 'null'] },
        ],
      },
    ],
  };
  await roundTrip({ ...defs, decisions: [{ ...defs.decisions[0]!, tableId: 'markdown_table' }] });
  const again = await parseDmn(await toDmnXml(defs));
  assert.deepEqual(evaluate(again.decisions[0]!, { stock: { weeksOnHand: 30 } }).outputs, [
    { markdownPct: 50, from: null },
    { markdownPct: 30, from: '2024-09-01' },
  ]);
});

const rejects = (xml: string, message: RegExp) =>
  assert.rejects(
    () => parseDmn(xml, 'bad.dmn'),
    (err: unknown) => err instanceof ValidationError && message.test(err.message),
  );

test('XML that does not parse is refused with its line and column', async () => {
  await rejects(
    `<definitions xmlns="${DMN13_NAMESPACE}" id="d">\n  <decision id="a">\n  </decisionX>\n</definitions>`,
    /^bad\.dmn is not valid DMN XML: line 3, column 3: unexpected closing tag \(at <\/decisionX>\)$/,
  );
  await rejects(
    `<definitions xmlns="${DMN13_NAMESPACE}" id="d">\n  <decision id="a" name="x>\n</definitions>`,
    /^bad\.dmn is not valid DMN XML: line 2, column 3: missing closing quotes/,
  );
  await rejects(
    `<definitions xmlns="${DMN13_NAMESPACE}" id="d">\n<decision id="a">\n<oops/></decision></definitions>`,
    /line 3, column 1: unknown type <dmn:Oops>/,
  );
  await rejects('', /^bad\.dmn is empty$/);
  await rejects('{"not": "xml"}', /not valid DMN XML/);
});

test('other DMN versions, other decision logic and broken tables are refused with what to do', async () => {
  await rejects(
    '<definitions xmlns="http://www.omg.org/spec/DMN/20151101/dmn.xsd" id="d"><decision id="a"/></definitions>',
    /is not DMN 1\.3: its namespace is http:\/\/www\.omg\.org\/spec\/DMN\/20151101\/dmn\.xsd; save it as DMN 1\.3/,
  );
  await rejects('<html/>', /the root element must be <definitions>/);
  await rejects(
    `<definitions xmlns="${DMN13_NAMESPACE}" id="d" name="d" namespace="x">
      <decision id="total" name="Total"><literalExpression id="le"><text>a + b</text></literalExpression></decision>
      <decision id="empty" name="Empty"/>
    </definitions>`,
    /decision "total" is decided by a LiteralExpression; only decision tables are supported; decision "empty" has no decision logic/,
  );
  const broken = MODELER_XML.replace('<text>&lt;= 30</text>', '<text>&lt;= "30"</text>').replace(
    'typeRef="date"',
    '',
  );
  await rejects(
    broken,
    /bad\.dmn has 2 problems: decision "refund": rule "Rule_1", input "Days since purchase": "<= "30"" compares the number input with a string.*; decision "window": input "Purchased on" needs a type/,
  );
});
