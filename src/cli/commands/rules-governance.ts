import type { Command } from 'commander';
import { ValidationError } from '../../core/index.js';
import {
  type DecisionTable,
  type DraftReview,
  findDecision,
  RuleGovernance,
  readDmnFile,
} from '../../rules/index.js';
import type { RuleDraftRecord } from '../../store/index.js';
import { type GlobalOptions, withStore } from '../context.js';
import { type Io, iso, json, table } from '../output.js';

type Usage = (cmd: Command, err: unknown) => never;

const STATUSES = ['open', 'approved', 'rejected'];

/**
 * The governed side of `baton rules`, on the configured database: seed, propose, review (maker-checker:
 * `--by` must differ from the draft's author), versions and regional overrides. Bad input exits 2; a
 * refusal (own draft, stale draft, already reviewed) exits 1 with one line.
 */
export function registerRuleGovernance(rules: Command, program: Command, io: Io, usage: Usage): void {
  const withRules = async <T>(cmd: Command, fn: (r: RuleGovernance) => Promise<T>): Promise<T> => {
    try {
      return await withStore(program.opts<GlobalOptions>(), (store) => fn(new RuleGovernance({ store })));
    } catch (err) {
      if (err instanceof ValidationError) return usage(cmd, err);
      throw err;
    }
  };
  const printReview = (r: DraftReview, asJson?: boolean) =>
    io.out(
      asJson ? json({ draft: summary(r.draft), against: r.against, stale: r.stale, diff: r.diff }) : r.text,
    );

  rules
    .command('seed')
    .description(
      'publish the default rules (rules/*.dmn) as version 1 of their sets; sets that exist are left alone',
    )
    .option('--dir <dir>', 'another folder of DMN files')
    .action(async (o: { dir?: string }, cmd: Command) => {
      const out = await withRules(cmd, (r) => r.seedDefaults(o.dir ? { dir: o.dir } : {}));
      for (const s of out) io.out(`${s.setId}: ${s.seeded ? 'seeded as version 1' : 'exists, unchanged'}`);
    });

  rules
    .command('propose')
    .description(
      'propose a DMN file as the next version of its rule set (the definitions id); prints the diff',
    )
    .argument('<file>', 'DMN 1.3 file')
    .requiredOption('--by <principal>', 'who proposes, for example user:ana')
    .option('--comment <text>', 'why')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { by: string; comment?: string; json?: boolean }, cmd: Command) => {
      const defs = await readDmnFile(file).catch((err) => usage(cmd, err));
      const review = await withRules(cmd, (r) =>
        r.propose(defs, { name: o.by }, o.comment ? { comment: o.comment } : {}),
      );
      printReview(review, o.json);
    });

  rules
    .command('drafts')
    .description('list drafts, newest first')
    .option('--set <id>', 'only this rule set')
    .option('--status <status>', `only ${STATUSES.join(', ')}`)
    .option('--json', 'print JSON')
    .action(async (o: { set?: string; status?: string; json?: boolean }, cmd: Command) => {
      if (o.status !== undefined && !STATUSES.includes(o.status))
        usage(cmd, `--status must be one of ${STATUSES.join(', ')}, got ${o.status}`);
      const list = await withRules(cmd, (r) =>
        r.drafts({
          ...(o.set ? { setId: o.set } : {}),
          ...(o.status ? { status: o.status as RuleDraftRecord['status'] } : {}),
        }),
      );
      if (o.json) return io.out(json(list.map(summary)));
      io.out(
        table(
          list.map((d) => ({
            id: d.id,
            set: d.setId,
            kind: d.kind === 'set' ? 'set' : `override ${d.decisionId}@${d.region}`,
            base: d.baseVersion,
            status: d.status,
            author: d.author,
            reviewer: d.reviewedBy,
            proposed: iso(d.proposedAt),
            comment: d.comment,
          })),
          ['id', 'set', 'kind', 'base', 'status', 'author', 'reviewer', 'proposed', 'comment'],
        ),
      );
    });

  rules
    .command('diff')
    .description('show what a draft changes against the version an approval would replace')
    .argument('<draft>', 'draft id')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }, cmd: Command) => {
      printReview(await withRules(cmd, (r) => r.review(id)), o.json);
    });

  rules
    .command('approve')
    .description('approve a draft and publish it; its author cannot (maker-checker)')
    .argument('<draft>', 'draft id')
    .requiredOption('--by <principal>', 'who approves: not the draft’s author')
    .option('--comment <text>', 'a note kept with the version')
    .action(async (id: string, o: { by: string; comment?: string }, cmd: Command) => {
      const result = await withRules(cmd, (r) =>
        r.approve(id, { name: o.by }, o.comment ? { comment: o.comment } : {}),
      );
      io.out(
        result.kind === 'set'
          ? `published ${result.version.setId} version ${result.version.version} (proposed by ${result.version.author}, approved by ${result.version.approvedBy})`
          : `${result.override.table ? 'approved' : 'withdrew'} the ${result.override.region} override of ${result.override.decisionId}, version ${result.override.version} (proposed by ${result.override.author}, approved by ${result.override.approvedBy})`,
      );
    });

  rules
    .command('reject')
    .description('reject a draft; nothing is published')
    .argument('<draft>', 'draft id')
    .requiredOption('--by <principal>', 'who rejects')
    .requiredOption('--reason <text>', 'why')
    .action(async (id: string, o: { by: string; reason: string }, cmd: Command) => {
      const d = await withRules(cmd, (r) => r.reject(id, { name: o.by }, o.reason));
      io.out(`rejected draft ${d.id} of ${d.setId}: ${o.reason}`);
    });

  rules
    .command('versions')
    .description('list the published versions of a rule set')
    .argument('<set>', 'rule set id (the DMN definitions id)')
    .option('--json', 'print JSON')
    .action(async (setId: string, o: { json?: boolean }, cmd: Command) => {
      const list = await withRules(cmd, (r) => r.versions(setId));
      const rows = list.map(({ definitions: _, dmnXml: __, ...v }) => v);
      if (o.json) return io.out(json(rows));
      io.out(
        table(
          rows.map((v) => ({
            version: v.version,
            published: iso(v.publishedAt),
            author: v.author,
            approver: v.approvedBy,
            draft: v.draftId,
            comment: v.comment,
          })),
          ['version', 'published', 'author', 'approver', 'draft', 'comment'],
        ),
      );
    });

  rules
    .command('active')
    .description('show the table a decision evaluates with, for a region when given')
    .argument('<decision>', 'decision id')
    .option('--region <code>', 'for example north or EU-DE')
    .action(async (decisionId: string, o: { region?: string }, cmd: Command) => {
      const a = await withRules(cmd, (r) => r.active(decisionId, o.region ? { region: o.region } : {}));
      io.out(json(a));
    });

  rules
    .command('override')
    .description('propose a regional override of a decision: a table with its columns and other rules')
    .argument('<decision>', 'decision id')
    .argument('<region>', 'for example north or EU-DE')
    .argument('[file]', 'DMN 1.3 file holding a decision with that id')
    .requiredOption('--by <principal>', 'who proposes')
    .option('--withdraw', 'propose withdrawing the region’s override instead')
    .option('--comment <text>', 'why')
    .option('--json', 'print JSON')
    .action(
      async (
        decisionId: string,
        region: string,
        file: string | undefined,
        o: { by: string; withdraw?: boolean; comment?: string; json?: boolean },
        cmd: Command,
      ) => {
        if (Boolean(file) === Boolean(o.withdraw)) usage(cmd, 'give either a DMN file or --withdraw');
        let t: DecisionTable | null = null;
        if (file) {
          const defs = await readDmnFile(file).catch((err) => usage(cmd, err));
          try {
            t = findDecision(defs, decisionId, file);
          } catch (err) {
            usage(cmd, err);
          }
        }
        const review = await withRules(cmd, (r) =>
          r.proposeOverride(
            { decisionId, region, table: t },
            { name: o.by },
            o.comment ? { comment: o.comment } : {},
          ),
        );
        printReview(review, o.json);
      },
    );

  rules
    .command('overrides')
    .description('list regional overrides (the latest version of each)')
    .option('--decision <id>', 'only this decision')
    .action(async (o: { decision?: string }, cmd: Command) => {
      const list = await withRules(cmd, (r) => r.overrides(o.decision ? { decisionId: o.decision } : {}));
      io.out(
        table(
          list.map((v) => ({
            decision: v.decisionId,
            region: v.region,
            version: v.version,
            state: v.table ? 'active' : 'withdrawn',
            author: v.author,
            approver: v.approvedBy,
            approved: iso(v.approvedAt),
          })),
          ['decision', 'region', 'version', 'state', 'author', 'approver', 'approved'],
        ),
      );
    });
}

const summary = ({ content: _, dmnXml: __, ...d }: RuleDraftRecord) => d;
