/**
 * What the benchmark scripts share: their command line (with `--help`, and one readable line and
 * exit 2 for an option they do not know) and percentiles.
 */
import { parseArgs } from 'node:util';

export interface BenchOption {
  type: 'string' | 'boolean';
  default?: string | boolean;
  description: string;
}

type Values<O extends Record<string, BenchOption>> = {
  [K in keyof O]: O[K]['type'] extends 'boolean'
    ? boolean
    : O[K] extends { default: string }
      ? string
      : string | undefined;
};

/** Parses `process.argv` for a benchmark run as `npm run <script> -- [options]`. */
export function benchArgs<O extends Record<string, BenchOption>>(
  script: string,
  about: string,
  options: O,
): Values<O> {
  const usage = () =>
    [
      `Usage: npm run ${script} -- [options]`,
      '',
      about,
      '',
      'Options:',
      ...Object.entries(options).map(([name, o]) => {
        const flag = o.type === 'boolean' ? `--${name}` : `--${name} <value>`;
        const shown = o.type === 'string' && o.default !== undefined ? ` (default ${o.default})` : '';
        return `  ${flag.padEnd(24)} ${o.description}${shown}`;
      }),
      `  ${'--help'.padEnd(24)} show this text`,
    ].join('\n');
  const config = Object.fromEntries(
    Object.entries(options).map(([name, o]) => [
      name,
      o.default === undefined ? { type: o.type } : { type: o.type, default: o.default },
    ]),
  );
  try {
    const { values } = parseArgs({ options: { ...config, help: { type: 'boolean', default: false } } });
    if (values.help) {
      process.stdout.write(`${usage()}\n`);
      process.exit(0);
    }
    return values as Values<O>;
  } catch (err) {
    process.stderr.write(`${script}: ${(err as Error).message}\n\n${usage()}\n`);
    process.exit(2);
  }
}

/** The value at percentile `p` (0–100) of ascending `sorted`, nearest rank; 0 for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
