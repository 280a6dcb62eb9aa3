/**
 * DMN 1.3 XML in and out, through dmn-moddle, so business users edit the tables in any standard
 * DMN modeler. Only decisions whose logic is a decision table are read; other DRG elements (input
 * data, knowledge sources) carry no logic Baton runs and are not kept. Written files carry every id
 * and a diagram with one shape per decision, which modelers need to open them.
 */
import { DmnModdle, type ModdleElement } from 'dmn-moddle';
import { ValidationError } from '../core/index.js';
import { feelLiteral, parseValueList } from './feel.js';
import type {
  Aggregation,
  DecisionTable,
  Definitions,
  HitPolicy,
  InputClause,
  OutputClause,
  OutputValue,
  Rule,
  TypeRef,
} from './model.js';
import { assertValidDefinitions } from './validate.js';

export const DMN13_NAMESPACE = 'https://www.omg.org/spec/DMN/20191111/MODEL/';
/** Baton's extension attributes (`baton:version` on a decision); modelers keep them as they are. */
export const BATON_DMN_NAMESPACE = 'urn:baton:dmn:1.0';

/** Type names modelers write for numbers, read as FEEL `number`. */
const NUMBER_ALIASES = new Set(['integer', 'long', 'double', 'int', 'decimal']);

const moddle = () => new DmnModdle();

// ------------------------------------------------------------------ reading

/**
 * Reads DMN 1.3 XML into the model and checks every table. `source` names the document in errors
 * (a file path). Throws `ValidationError` for XML that does not parse (with its line and column),
 * a document in another DMN version, a decision whose logic is not a decision table, or a table
 * with problems.
 */
export async function parseDmn(xml: string, source = 'DMN XML'): Promise<Definitions> {
  let root: ModdleElement;
  try {
    const parsed = await moddle().fromXML(xml, 'dmn:Definitions');
    if (parsed.warnings.length > 0) throw Object.assign(new Error(parsed.warnings[0]!.message), parsed);
    root = parsed.rootElement;
  } catch (err) {
    throw new ValidationError(`${source} ${xmlProblem(xml, err)}`, [
      { path: '', message: xmlProblem(xml, err) },
    ]);
  }
  const batonPrefix = prefixOf(root, BATON_DMN_NAMESPACE);
  const decisions: DecisionTable[] = [];
  const issues: Array<{ path: string; message: string }> = [];
  list(root.drgElement).forEach((el, i) => {
    if (el.$type !== 'dmn:Decision') return;
    const logic = el.decisionLogic as ModdleElement | undefined;
    const what = `decision "${str(el.id) ?? i + 1}"`;
    if (!logic) issues.push({ path: `/drgElement/${i}`, message: `${what} has no decision logic` });
    else if (logic.$type !== 'dmn:DecisionTable')
      issues.push({
        path: `/drgElement/${i}`,
        message: `${what} is decided by ${logic.$type.replace('dmn:', 'a ')}; only decision tables are supported`,
      });
    else decisions.push(readDecision(el, logic, decisions.length, batonPrefix));
  });
  if (issues.length > 0)
    throw new ValidationError(`${source}: ${issues.map((i) => i.message).join('; ')}`, issues);
  const defs: Definitions = {
    id: str(root.id) ?? 'definitions',
    name: str(root.name) ?? '',
    namespace: str(root.namespace) ?? '',
    decisions,
  };
  assertValidDefinitions(defs, source);
  return defs;
}

/** What is wrong with a document dmn-moddle refused, with its line and column (1-based). */
function xmlProblem(xml: string, err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const warnings = (err as { warnings?: Array<{ message: string }> }).warnings ?? [];
  const root = /<(?:[\w.-]+:)?definitions\b[^>]*\bxmlns(?::[\w.-]+)?="([^"]+)"/.exec(xml);
  if (/failed to parse document/.test(text)) {
    return root && root[1] !== DMN13_NAMESPACE && /omg\.org\/spec\/DMN/.test(root[1]!)
      ? `is not DMN 1.3: its namespace is ${root[1]}; save it as DMN 1.3 (${DMN13_NAMESPACE})`
      : `is not a DMN 1.3 document: the root element must be <definitions> in ${DMN13_NAMESPACE}`;
  }
  if (xml.trim() === '') return 'is empty';
  const detail =
    /unparsable content ?(.*?) detected\s+line: (\d+)\s+column: (\d+)(?:\s+nested error: (.*))?/s.exec(
      warnings[0]?.message ?? text,
    );
  if (!detail) return `is not valid DMN XML: ${text.split('\n')[0]}`;
  const [, content, line, column, nested] = detail;
  const why = nested?.trim() === 'close tag' ? 'unexpected closing tag' : (nested?.trim() ?? 'unreadable');
  return `is not valid DMN XML: line ${Number(line) + 1}, column ${Number(column) + 1}: ${why}${content ? ` (at ${content})` : ''}`;
}

function readDecision(
  decision: ModdleElement,
  table: ModdleElement,
  index: number,
  batonPrefix: string | undefined,
): DecisionTable {
  const id = str(decision.id) ?? `decision_${index + 1}`;
  const inputs: InputClause[] = list(table.input).map((input, j) => {
    const expr = input.inputExpression as ModdleElement | undefined;
    const expression = str(expr?.text) ?? '';
    return {
      id: str(input.id) ?? `${id}_input_${j + 1}`,
      label: str(input.label) ?? expression,
      expression,
      typeRef: typeRefOf(expr?.typeRef),
    };
  });
  const outputs: OutputClause[] = list(table.output).map((output, k) => {
    const label = str(output.label);
    const values = str((output.outputValues as ModdleElement | undefined)?.text);
    return {
      id: str(output.id) ?? `${id}_output_${k + 1}`,
      name: str(output.name) ?? label ?? '',
      ...(label !== undefined ? { label } : {}),
      typeRef: typeRefOf(output.typeRef),
      ...(values !== undefined ? { allowedValues: parseValueList(values) as OutputValue[] } : {}),
    };
  });
  const rules: Rule[] = list(table.rule).map((rule, r) => {
    const description = str(rule.description);
    return {
      id: str(rule.id) ?? `${id}_rule_${r + 1}`,
      ...(description ? { description } : {}),
      inputEntries: list(rule.inputEntry).map((e) => str(e.text)?.trim() || '-'),
      // modelers leave a cell empty for "no value"; the model spells it out
      outputEntries: list(rule.outputEntry).map((e) => str(e.text)?.trim() || 'null'),
    };
  });
  const description = str(decision.description);
  const version = batonPrefix ? decision.$attrs[`${batonPrefix}:version`] : undefined;
  return {
    id,
    name: str(decision.name) ?? '',
    ...(description ? { description } : {}),
    ...(version !== undefined ? { version: /^\d+$/.test(version) ? Number(version) : version } : {}),
    ...(table.id !== undefined ? { tableId: String(table.id) } : {}),
    hitPolicy: (str(table.hitPolicy) ?? 'UNIQUE') as HitPolicy,
    ...(table.aggregation !== undefined ? { aggregation: table.aggregation as Aggregation } : {}),
    inputs,
    outputs,
    rules,
  };
}

const list = (v: unknown): ModdleElement[] => (Array.isArray(v) ? (v as ModdleElement[]) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function typeRefOf(v: unknown): TypeRef {
  const t = str(v)?.trim();
  return (t && NUMBER_ALIASES.has(t) ? 'number' : t) as TypeRef;
}

/** The prefix a document binds to `namespace` (documents may choose any prefix). */
function prefixOf(root: ModdleElement, namespace: string): string | undefined {
  for (const [k, v] of Object.entries(root.$attrs ?? {}))
    if (v === namespace && k.startsWith('xmlns:')) return k.slice('xmlns:'.length);
  return undefined;
}

// ------------------------------------------------------------------ writing

/** Writes the definitions as DMN 1.3 XML, with every id and a diagram shape per decision. */
export async function toDmnXml(defs: Definitions): Promise<string> {
  const m = moddle();
  const decisions = defs.decisions.map((d) => writeDecision(m, d));
  const root = m.create('dmn:Definitions', {
    id: defs.id,
    name: defs.name,
    namespace: defs.namespace,
    drgElement: decisions,
  });
  root.$attrs.xmlns = DMN13_NAMESPACE;
  if (defs.decisions.some((d) => d.version !== undefined)) root.$attrs['xmlns:baton'] = BATON_DMN_NAMESPACE;
  const shapes = decisions.map((d, i) =>
    m.create('dmndi:DMNShape', {
      id: `DMNShape_${d.id}`,
      dmnElementRef: d,
      bounds: m.create('dc:Bounds', {
        x: 160 + (i % 4) * 240,
        y: 100 + Math.floor(i / 4) * 140,
        width: 180,
        height: 80,
      }),
    }),
  );
  root.dmnDI = m.create('dmndi:DMNDI', {
    diagrams: [m.create('dmndi:DMNDiagram', { id: `DMNDiagram_${defs.id}`, diagramElements: shapes })],
  });
  const { xml } = await m.toXML(root, { format: true });
  return xml;
}

function writeDecision(m: DmnModdle, d: DecisionTable): ModdleElement {
  const table = m.create('dmn:DecisionTable', {
    id: d.tableId ?? `${d.id}_table`,
    hitPolicy: d.hitPolicy,
    input: d.inputs.map((input) =>
      m.create('dmn:InputClause', {
        id: input.id,
        label: input.label,
        inputExpression: m.create('dmn:LiteralExpression', {
          id: `${input.id}_expression`,
          typeRef: input.typeRef,
          text: input.expression,
        }),
      }),
    ),
    output: d.outputs.map((output) => {
      const props: Record<string, unknown> = { id: output.id, name: output.name, typeRef: output.typeRef };
      if (output.label !== undefined) props.label = output.label;
      if (output.allowedValues)
        props.outputValues = m.create('dmn:UnaryTests', {
          id: `${output.id}_values`,
          text: output.allowedValues.map((v) => feelLiteral(v, output.typeRef)).join(','),
        });
      return m.create('dmn:OutputClause', props);
    }),
    rule: d.rules.map((rule) => {
      const props: Record<string, unknown> = {
        id: rule.id,
        inputEntry: rule.inputEntries.map((text, j) =>
          m.create('dmn:UnaryTests', { id: `${rule.id}_in_${j + 1}`, text }),
        ),
        outputEntry: rule.outputEntries.map((text, k) =>
          m.create('dmn:LiteralExpression', { id: `${rule.id}_out_${k + 1}`, text }),
        ),
      };
      if (rule.description !== undefined) props.description = rule.description;
      return m.create('dmn:DecisionRule', props);
    }),
  });
  if (d.aggregation) table.aggregation = d.aggregation;
  const props: Record<string, unknown> = { id: d.id, name: d.name, decisionLogic: table };
  if (d.description !== undefined) props.description = d.description;
  const decision = m.create('dmn:Decision', props);
  if (d.version !== undefined) decision.$attrs['baton:version'] = String(d.version);
  return decision;
}
