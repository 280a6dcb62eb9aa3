import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import {
  COMPATIBILITY_MODES,
  type CompatibilityChange,
  ContractValidators,
  compareUnderMode,
  isCompatibilityMode,
} from '../../contracts/index.js';
import { errorMessage } from '../../core/index.js';
import { type Io, json, table } from '../output.js';

type Mode = (typeof COMPATIBILITY_MODES)[number];

function parseMode(value: string): Mode {
  const mode = value.toUpperCase();
  if (!isCompatibilityMode(mode))
    throw new InvalidArgumentError(
      `"${value}" is not a compatibility mode (${COMPATIBILITY_MODES.join(', ')})`,
    );
  return mode;
}

/**
 * `baton contracts`: work with event contract schemas offline. `diff` compares two JSON Schema
 * files as a registration would: exit 0 when the new one keeps the mode, 1 when it breaks it, 2 for
 * bad input (a file that does not read, is not JSON or not a JSON Schema, an unknown mode).
 */
export function registerContracts(program: Command, io: Io): void {
  const contracts = program.command('contracts').description('event contract schemas');

  contracts
    .command('diff')
    .description(
      'compare two JSON Schema files under a compatibility mode; exits 1 when the new one breaks it',
    )
    .argument('<old>', 'the registered schema, a JSON file')
    .argument('<new>', 'the proposed schema, a JSON file')
    .option(
      '--mode <mode>',
      `the compatibility mode: ${COMPATIBILITY_MODES.join(', ')}`,
      parseMode,
      'BACKWARD' as Mode,
    )
    .option('--json', 'print JSON')
    .action((oldFile: string, newFile: string, o: { mode: Mode; json?: boolean }, cmd: Command) => {
      const usage = (message: string): never =>
        cmd.error(`baton: ${message}`, { exitCode: 2, code: 'baton.contracts.input' });
      const oldSchema = readSchema(oldFile, usage);
      const newSchema = readSchema(newFile, usage);
      const { compatible, changes } = compareUnderMode(oldSchema, newSchema, o.mode);
      const breaks = (c: CompatibilityChange) => o.mode !== 'NONE' && !c.compatible;
      const breaking = changes.filter(breaks).length;
      if (o.json) {
        io.out(
          json({
            compatible,
            changes: changes.map((c) => ({
              kind: c.kind,
              path: c.path,
              breaking: breaks(c),
              direction: c.direction,
              ...(c.detail === undefined ? {} : { detail: c.detail }),
            })),
          }),
        );
      } else if (changes.length > 0) {
        const both = o.mode.startsWith('FULL');
        io.out(
          table(
            changes.map((c) => ({
              change: breaks(c) ? 'breaking' : 'ok',
              kind: c.kind,
              path: c.path,
              direction: c.direction,
              detail: c.detail,
            })),
            both ? ['change', 'kind', 'path', 'direction', 'detail'] : ['change', 'kind', 'path', 'detail'],
          ),
        );
      }
      const counted = `${changes.length} change${changes.length === 1 ? '' : 's'}`;
      if (!compatible) throw new Error(`not compatible under ${o.mode}: ${breaking} breaking of ${counted}`);
      if (!o.json)
        io.out(
          `compatible under ${o.mode}: ${changes.length === 0 ? 'no changes' : `${counted}, none breaking`}`,
        );
    });
}

/** A JSON Schema file, or a usage error naming the file and what is wrong with it. */
function readSchema(file: string, usage: (message: string) => never): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return usage(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : errorMessage(err)}`);
  }
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch {
    return usage(`${file} is not valid JSON: ${describeJsonError(text)}`);
  }
  const issues = new ContractValidators().checkSchema(schema);
  if (issues.length > 0)
    return usage(
      `${file} is not a JSON Schema 2020-12: ${issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`,
    );
  return schema;
}

/** Where JSON.parse gave up, as line and column: its own messages name a position only sometimes. */
function describeJsonError(text: string): string {
  const at = jsonErrorOffset(text);
  const before = text.slice(0, at).split('\n');
  const where = `line ${before.length}, column ${before.at(-1)!.length + 1}`;
  return at >= text.length
    ? `unexpected end of input at ${where}`
    : `unexpected ${JSON.stringify(text[at])} at ${where}`;
}

/** The offset of the first character that cannot continue a JSON text (its length when it ends early). */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const expect = (ch: string) => {
    if (text[i] !== ch) fail();
    i++;
  };
  const string = () => {
    expect('"');
    for (;;) {
      const ch = text[i];
      if (ch === undefined || ch < ' ') fail();
      i++;
      if (ch === '"') return;
      if (ch !== '\\') continue;
      if (text[i] === 'u') {
        i++;
        for (let k = 0; k < 4; k++) {
          if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail();
          i++;
        }
      } else if ('"\\/bfnrt'.includes(text[i] ?? '-')) i++;
      else fail();
    }
  };
  const digits = () => {
    const start = i;
    while (/[0-9]/.test(text[i] ?? '')) i++;
    if (i === start) fail();
  };
  const number = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };
  const members = (close: string, member: () => void) => {
    i++;
    space();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      member();
      space();
      if (text[i] === close) {
        i++;
        return;
      }
      expect(',');
    }
  };
  const value = (): void => {
    space();
    const ch = text[i];
    if (ch === '{')
      members('}', () => {
        space();
        string();
        space();
        expect(':');
        value();
      });
    else if (ch === '[') members(']', value);
    else if (ch === '"') string();
    else if (ch === '-' || /[0-9]/.test(ch ?? '')) number();
    else {
      const word = ['true', 'false', 'null'].find((w) => w[0] === ch);
      if (!word) fail();
      for (const letter of word!) expect(letter);
    }
  };
  try {
    value();
    space();
    return i;
  } catch (at) {
    return at as number;
  }
}
