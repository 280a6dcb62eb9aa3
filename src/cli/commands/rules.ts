import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { errorMessage, ValidationError } from '../../core/index.js';
import {
  type DecisionTable,
  type Definitions,
  evaluate,
  findDecision,
  readDmnFile,
  toDmnXml,
  whatIf,
} from '../../rules/index.js';
import { type GlobalOptions, withEngine } from '../context.js';
import { type Io, iso, json, table } from '../output.js';
import { registerRuleGovernance } from './rules-governance.js';

/**
 * `baton rules`: evaluate, show, export and try out DMN decision tables, and govern the published
 * rule sets (see rules-governance.ts). Bad input (a file that
 * does not read or parse, an unknown decision, facts that are not JSON or not of the declared
 * types) exits 2; a table that cannot decide (no match under UNIQUE, several) exits 1.
 */
export function registerRules(program: Command, io: Io): void {
  const rules = program.command('rules').description('evaluate and inspect DMN decision tables');

  /** Prints one line and exits 2: the input was wrong, not the rules. */
  const usage = (cmd: Command, err: unknown): never =>
    cmd.error(`baton: ${errorMessage(err)}`, { exitCode: 2, code: 'baton.rules.input' });

  const load = async (cmd: Command, file: string): Promise<Definitions> => {
    try {
      return await readDmnFile(file);
    } catch (err) {
      return usage(cmd, err);
    }
  };

  const pick = (cmd: Command, defs: Definitions, file: string, id: string | undefined): DecisionTable => {
    try {
      if (id === undefined && defs.decisions.length === 1) return defs.decisions[0]!;
      if (id === undefined)
        throw new ValidationError(
          `${file} holds ${defs.decisions.length} decisions; choose one with --decision (${defs.decisions.map((d) => d.id).join(', ')})`,
        );
      return findDecision(defs, id, file);
    } catch (err) {
      return usage(cmd, err);
    }
  };

  registerRuleGovernance(rules, program, io, usage);

  rules
    .command('eval')
    .description('evaluate a decision against facts given as JSON; prints the result as JSON')
    .argument('<file>', 'DMN 1.3 file')
    .option('--decision <id>', 'decision id (optional when the file holds one decision)')
    .option('--input <json>', 'the facts, a JSON object')
    .option('--input-file <file>', 'read the facts from a JSON file')
    .action(
      async (file: string, o: { decision?: string; input?: string; inputFile?: string }, cmd: Command) => {
        const defs = await load(cmd, file);
        const decision = pick(cmd, defs, file, o.decision);
        const facts = readFacts(cmd, o, usage);
        try {
          io.out(json(evaluate(decision, facts, { strict: true })));
        } catch (err) {
          if (err instanceof ValidationError) usage(cmd, err);
          throw err;
        }
      },
    );

  rules
    .command('show')
    .description('print decision tables as text: inputs, outputs and one line per rule')
    .argument('<file>', 'DMN 1.3 file')
    .option('--decision <id>', 'only this decision')
    .action(async (file: string, o: { decision?: string }, cmd: Command) => {
      const defs = await load(cmd, file);
      const list = o.decision ? [pick(cmd, defs, file, o.decision)] : defs.decisions;
      io.out(list.map(describeTable).join('\n\n'));
    });

  rules
    .command('export')
    .description(
      'print the file as Baton writes DMN 1.3 (every id, a diagram shape per decision), or as JSON',
    )
    .argument('<file>', 'DMN 1.3 file')
    .option('--json', 'print the decision model as JSON')
    .action(async (file: string, o: { json?: boolean }, cmd: Command) => {
      const defs = await load(cmd, file);
      io.out(o.json ? json(defs) : (await toDmnXml(defs)).trimEnd());
    });

  rules
    .command('what-if')
    .description('evaluate a draft table against the decisions recorded over the last days')
    .argument('<file>', 'DMN 1.3 file holding the draft')
    .option('--decision <id>', 'decision id (optional when the file holds one decision)')
    .option('--days <n>', 'how far back to look', (v) => Number(v), 30)
    .option('--workflow <name>', 'only runs of this workflow')
    .option('--json', 'print JSON')
    .action(
      async (
        file: string,
        o: { decision?: string; days: number; workflow?: string; json?: boolean },
        cmd: Command,
      ) => {
        const draft = pick(cmd, await load(cmd, file), file, o.decision);
        if (!(Number.isFinite(o.days) && o.days > 0))
          usage(cmd, `--days must be a positive number, got ${o.days}`);
        const report = await withEngine(program.opts<GlobalOptions>(), (engine) =>
          whatIf(engine, draft, { days: o.days, ...(o.workflow ? { workflow: o.workflow } : {}) }),
        );
        if (o.json) {
          io.out(json(report));
          return;
        }
        io.out(
          `decision ${report.decision}, draft ${report.draftVersion}: ${report.evaluated} decisions since ${iso(report.from)} in ${report.runsScanned} runs; ${report.changed} would change, ${report.unchanged} would not`,
        );
        if (report.changes.length > 0)
          io.out(
            table(
              report.changes.map((c) => ({
                run: c.runId,
                position: c.position,
                at: iso(c.at),
                before: 'error' in c.before ? `error: ${c.before.error}` : c.before.outputs,
                after: 'error' in c.after ? `error: ${c.after.error}` : c.after.outputs,
              })),
              ['run', 'position', 'at', 'before', 'after'],
            ),
          );
      },
    );
}

function readFacts(
  cmd: Command,
  o: { input?: string; inputFile?: string },
  usage: (cmd: Command, err: unknown) => never,
): Record<string, unknown> {
  if ((o.input === undefined) === (o.inputFile === undefined))
    return usage(cmd, 'give the facts with either --input JSON or --input-file FILE');
  let text: string;
  let from: string;
  if (o.inputFile !== undefined) {
    from = o.inputFile;
    try {
      text = readFileSync(o.inputFile, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return usage(
        cmd,
        `cannot read ${o.inputFile}: ${code === 'ENOENT' ? 'no such file' : errorMessage(err)}`,
      );
    }
  } else {
    from = '--input';
    text = o.input!;
  }
  let facts: unknown;
  try {
    facts = JSON.parse(text);
  } catch (err) {
    return usage(cmd, `${from} is not valid JSON: ${errorMessage(err)}`);
  }
  if (facts === null || typeof facts !== 'object' || Array.isArray(facts))
    return usage(cmd, `${from} must be a JSON object of facts, for example {"order":{"total":120}}`);
  return facts as Record<string, unknown>;
}

/** A table as people read it: a heading, its columns, then one line per rule. */
function describeTable(d: DecisionTable): string {
  const version = d.version !== undefined ? `, version ${d.version}` : '';
  const policy = d.aggregation ? `${d.hitPolicy} ${d.aggregation}` : d.hitPolicy;
  const head = [
    `${d.name || d.id} (${d.id}${version}), hit policy ${policy}`,
    ...(d.description ? [d.description] : []),
    `inputs:  ${d.inputs.map((i) => `${i.label} = ${i.expression} (${i.typeRef})`).join('; ')}`,
    `outputs: ${d.outputs
      .map(
        (o) =>
          `${o.name} (${o.typeRef}${o.allowedValues ? `: ${o.allowedValues.map((v) => JSON.stringify(v)).join(', ')}` : ''})`,
      )
      .join('; ')}`,
  ];
  const columns = [
    'rule',
    ...d.inputs.map((i) => i.label),
    ...d.outputs.map((o) => `→ ${o.name}`),
    'description',
  ];
  const rows = d.rules.map((r) => {
    const row: Record<string, unknown> = { rule: r.id, description: r.description };
    d.inputs.forEach((i, j) => {
      row[i.label] = r.inputEntries[j];
    });
    d.outputs.forEach((o, k) => {
      row[`→ ${o.name}`] = r.outputEntries[k];
    });
    return row;
  });
  return `${head.join('\n')}\n${table(rows, columns)}`;
}
