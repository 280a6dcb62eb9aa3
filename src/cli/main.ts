import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { errorMessage } from '../core/index.js';
import { registerAudit } from './commands/audit.js';
import { registerConnectors } from './commands/connectors.js';
import { registerContracts } from './commands/contracts.js';
import { registerDemo } from './commands/demo.js';
import { registerDlq } from './commands/dlq.js';
import { registerEdi } from './commands/edi.js';
import { registerKeys } from './commands/keys.js';
import { registerMappings } from './commands/mappings.js';
import { registerPos } from './commands/pos.js';
import { registerRules } from './commands/rules.js';
import { registerRuns } from './commands/runs.js';
import { registerSim } from './commands/sim.js';
import { registerStart } from './commands/start.js';
import { registerTasks } from './commands/tasks.js';
import { registerWorker } from './commands/worker.js';
import { type Io, processIo } from './output.js';

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export function buildProgram(io: Io = processIo): Command {
  const program = new Command('baton')
    .description('Baton: durable retail workflows between sales and operations systems')
    .version(version)
    .option('--db <path>', 'SQLite database file (default .baton/baton.db, or BATON_DB)')
    .option('--config <file>', 'JSON config file (default baton.config.json when present, or BATON_CONFIG)')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  registerStart(program, io);
  registerDemo(program, io);
  registerWorker(program, io);
  registerRuns(program, io);
  registerTasks(program, io);
  registerRules(program, io);
  registerKeys(program, io);
  registerAudit(program, io);
  registerConnectors(program, io);
  registerDlq(program, io);
  registerContracts(program, io);
  registerEdi(program, io);
  registerSim(program, io);
  registerMappings(program, io);
  registerPos(program, io);
  for (const c of program.commands) {
    c.exitOverride();
    for (const sub of c.commands) sub.exitOverride();
  }
  return program;
}

/** Runs the CLI; resolves to the process exit code. Errors become one readable line. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has printed its message already; help and version exit 0
      return err.exitCode === 0 ? 0 : 2;
    }
    io.err(`baton: ${errorMessage(err)}`);
    return 1;
  }
}
