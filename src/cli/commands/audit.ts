import type { Command } from 'commander';
import { verifyAuditChain } from '../../api/index.js';
import type { AuditQuery } from '../../store/index.js';
import { type GlobalOptions, withStore } from '../context.js';
import { type Io, iso, json, table } from '../output.js';
import { parseNonNegative } from './runs.js';

export function registerAudit(program: Command, io: Io): void {
  const g = () => program.opts<GlobalOptions>();
  const audit = program
    .command('audit')
    .description('the audit log of changes to contracts, keys, tasks and runs');

  audit
    .command('verify')
    .description('recompute the hash chain; exits 1 naming the first record that breaks it')
    .option('--json', 'print JSON')
    .action(async (o) => {
      const report = await withStore(g(), (store) => verifyAuditChain(store.governance));
      if (o.json) io.out(json(report));
      if (!report.ok) throw new Error(`audit chain broken at record ${report.brokenAt}: ${report.reason}`);
      if (!o.json)
        io.out(`audit chain intact: ${report.checked} records; last hash ${report.lastHash || '(none)'}`);
    });

  audit
    .command('list')
    .description('audit records, oldest first')
    .option('--actor <principal>', 'who made the change')
    .option('--action <action>', 'e.g. task.completed, key.revoked')
    .option('--target-kind <kind>', 'run, task, key, contract, quarantine')
    .option('--target-id <id>', 'the changed record')
    .option('--after-seq <n>', 'records after this sequence number', parseNonNegative)
    .option('--limit <n>', 'at most this many records', parseNonNegative, 100)
    .option('--json', 'print JSON')
    .action(async (o) => {
      const q: AuditQuery = { limit: o.limit };
      if (o.actor) q.actor = o.actor;
      if (o.action) q.action = o.action;
      if (o.targetKind) q.targetKind = o.targetKind;
      if (o.targetId) q.targetId = o.targetId;
      if (o.afterSeq !== undefined) q.afterSeq = o.afterSeq;
      const list = await withStore(g(), (store) => store.governance.readAudit(q));
      io.out(
        o.json
          ? json(list)
          : table(
              list.map((r) => ({
                seq: r.seq,
                at: iso(r.at),
                actor: r.actor,
                action: r.action,
                target: `${r.target.kind}:${r.target.id}`,
              })),
              ['seq', 'at', 'actor', 'action', 'target'],
            ),
      );
    });
}
