import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import {
  acknowledgeEdi,
  parseEdi,
  type ReadOptions,
  render850,
  type TradingPartnerProfile,
  toProfile,
} from '../../connectors/index.js';
import { ContractValidators, catalogue, type PurchaseOrderIssued } from '../../contracts/index.js';
import { errorMessage } from '../../core/index.js';
import { type Io, json } from '../output.js';

const ISSUED = 'purchase_order.issued';

function parseControlNumber(value: string): number {
  const n = Number(value);
  if (!/^\d{1,9}$/.test(value) || n < 1)
    throw new InvalidArgumentError('must be a number from 1 to 999999999');
  return n;
}

/**
 * `baton edi`: supplier EDI (X12) offline. `render` writes the 850 for a purchase_order.issued
 * event; `parse` prints the events an interchange carries; `ack` prints the 997 for it. Bad input
 * (a file that does not read, is not JSON, an event or profile that fails its schema) exits 2; a
 * malformed or rejected X12 document exits 1 with one line naming the segment and its position.
 */
export function registerEdi(program: Command, io: Io): void {
  const edi = program
    .command('edi')
    .description('supplier EDI (ANSI X12): 850 out; 855, 856, 810 and 997 in');

  const usage = (cmd: Command, message: string): never =>
    cmd.error(`baton: ${message}`, { exitCode: 2, code: 'baton.edi.input' });

  const readText = (cmd: Command, file: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      return usage(cmd, `cannot read ${file}: ${errorMessage(err)}`);
    }
  };

  const readJson = (cmd: Command, file: string): unknown => {
    const text = readText(cmd, file);
    try {
      return JSON.parse(text);
    } catch (err) {
      return usage(cmd, `${file} is not JSON: ${errorMessage(err)}`);
    }
  };

  const profiles = (cmd: Command, file: string | undefined): TradingPartnerProfile[] => {
    if (file === undefined) return [];
    const value = readJson(cmd, file);
    try {
      return (Array.isArray(value) ? value : [value]).map(toProfile);
    } catch (err) {
      return usage(cmd, `${file}: ${errorMessage(err)}`);
    }
  };

  const readOptions = (cmd: Command, o: { profile?: string; currency?: string }): ReadOptions => {
    if (o.currency !== undefined && !/^[A-Z]{3}$/.test(o.currency))
      usage(cmd, `--currency must be an ISO 4217 code such as EUR, got "${o.currency}"`);
    return { profiles: profiles(cmd, o.profile), ...(o.currency ? { currency: o.currency } : {}) };
  };

  edi
    .command('render')
    .description(
      'print the X12 850 for a purchase_order.issued event (its data, or an envelope with type and data)',
    )
    .argument('<event>', 'JSON file')
    .option('--profile <file>', 'trading-partner profile (JSON); by default ZZ ids from the event')
    .option(
      '--control-number <n>',
      'ISA13/GS06 (default: the event’s x12 envelope, else 1)',
      parseControlNumber,
    )
    .action((file: string, o: { profile?: string; controlNumber?: number }, cmd: Command) => {
      const value = readJson(cmd, file) as Record<string, unknown> | null;
      let data: unknown = value;
      if (value && typeof value === 'object' && 'type' in value && 'data' in value) {
        const type = String(value.type).replace(/^com\.baton\.retail\./, '');
        if (type !== ISSUED)
          usage(cmd, `${file}: an 850 is rendered from ${ISSUED}, not ${String(value.type)}`);
        data = value.data;
      }
      const entry = catalogue.find((e) => e.type === ISSUED)!;
      const issues = new ContractValidators().validateOnce(entry.schema as Record<string, unknown>, data);
      if (issues.length > 0)
        usage(
          cmd,
          `${file}: not a ${ISSUED} event: ${issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`,
        );
      const [profile] = profiles(cmd, o.profile);
      let text: string;
      try {
        text = render850(data as PurchaseOrderIssued, {
          ...(profile ? { profile } : {}),
          ...(o.controlNumber ? { controlNumber: o.controlNumber } : {}),
        });
      } catch (err) {
        return usage(cmd, `${file}: ${errorMessage(err)}`);
      }
      io.out(text.trimEnd());
    });

  edi
    .command('parse')
    .description('print the events an X12 interchange carries (855, 856, 810; 850 and 997 too) as JSON')
    .argument('<file>', 'X12 file')
    .option(
      '--profile <file>',
      'trading-partner profile(s) (JSON object or array): supplier id, currency, locations',
    )
    .option('--currency <code>', 'currency of amounts when the document has no CUR segment')
    .option('--json', 'one compact JSON object per line instead of a pretty array')
    .action((file: string, o: { profile?: string; currency?: string; json?: boolean }, cmd: Command) => {
      const text = readText(cmd, file);
      const parsed = parseEdi(text, readOptions(cmd, o));
      const out = [
        ...parsed.events,
        ...parsed.acknowledgements.map((data) => ({ type: 'x12.functional_acknowledgement', data })),
      ];
      io.out(o.json ? out.map((e) => JSON.stringify(e)).join('\n') : json(out));
    });

  edi
    .command('ack')
    .description(
      'print the 997 functional acknowledgement for a received interchange; exits 1 when it rejects',
    )
    .argument('<file>', 'X12 file')
    .option('--profile <file>', 'trading-partner profile(s) (JSON object or array)')
    .option('--currency <code>', 'currency of amounts when the document has no CUR segment')
    .option('--control-number <n>', 'ISA13/GS06 of the 997 (default 1)', parseControlNumber)
    .action(
      (file: string, o: { profile?: string; currency?: string; controlNumber?: number }, cmd: Command) => {
        const text = readText(cmd, file);
        const options = readOptions(cmd, o);
        const partner = options.profiles?.[0];
        const ack = acknowledgeEdi(text, {
          ...options,
          ...(partner ? { profile: partner } : {}),
          ...(o.controlNumber ? { controlNumber: o.controlNumber } : {}),
        });
        io.out(ack.x12.trimEnd());
        if (!ack.accepted) {
          for (const line of ack.errors.slice(1)) io.err(`baton: ${line}`);
          throw new Error(`rejected: ${ack.errors[0]}`);
        }
      },
    );
}
