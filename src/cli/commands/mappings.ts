import type { Command } from 'commander';
import {
  type FixtureResult,
  formatDifference,
  loadMappings,
  type MappingSet,
  runFixtures,
} from '../../connectors/index.js';
import { errorMessage } from '../../core/index.js';
import { type Io, json } from '../output.js';

/**
 * `baton mappings test [DIR|FILE]`: run every fixture of the mappings in a folder (default
 * `mappings/`) or one file, printing pass or fail per fixture and, on failure, the expected and
 * actual values where they differ. Exit 0 when all pass, 1 when some fail, 2 when a mapping file does
 * not read or is not a valid mapping.
 */
export function registerMappings(program: Command, io: Io): void {
  const mappings = program.command('mappings').description('declarative JSONata mappings and their fixtures');

  mappings
    .command('test')
    .description('run the fixtures of every mapping; exits 1 when one fails')
    .argument('[path]', 'a mapping file or a folder of them', 'mappings')
    .option('--json', 'print JSON')
    .action(async (path: string, o: { json?: boolean }, cmd: Command) => {
      let set: MappingSet;
      try {
        set = loadMappings(path);
      } catch (err) {
        return cmd.error(`baton: ${errorMessage(err)}`, { exitCode: 2, code: 'baton.mappings.input' });
      }
      const all = set.all();
      if (all.length === 0)
        return cmd.error(`baton: ${path} holds no mapping files (<name>.v<N>.json)`, {
          exitCode: 2,
          code: 'baton.mappings.input',
        });
      const results = await runFixtures(all);
      const failed = results.filter((r) => !r.ok).length;
      if (o.json) io.out(json({ ok: failed === 0, passed: results.length - failed, failed, results }));
      else for (const r of results) io.out(describe(r));
      const summary = `${results.length} fixture${results.length === 1 ? '' : 's'} of ${all.length} mapping${all.length === 1 ? '' : 's'}`;
      if (failed > 0) throw new Error(`${failed} of ${summary} failed`);
      if (!o.json) io.out(`all ${summary} pass`);
    });
}

function describe(r: FixtureResult): string {
  const head = `${r.ok ? 'pass' : 'FAIL'}  ${r.mapping} v${r.version}  ${r.fixture}`;
  if (r.ok) return head;
  const lines = [head];
  if (r.error) lines.push(`      ${r.error}`);
  for (const d of r.differences ?? []) for (const l of formatDifference(d)) lines.push(`      ${l}`);
  return lines.join('\n');
}
