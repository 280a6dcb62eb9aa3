import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { errorMessage, systemClock } from '../../core/index.js';
import {
  buildEstate,
  DEFAULT_TIMING,
  describePeriod,
  type Estate,
  estateJson,
  FaultController,
  isSystemName,
  runDemand,
  SYSTEM_NAMES,
  type SystemName,
  startSimulator,
} from '../../sim/index.js';
import type { Io } from '../output.js';

/** The seed and base port `baton sim` uses when none is given. */
export const DEFAULT_SIM_SEED = 1;
export const DEFAULT_SIM_PORT = 4100;

interface SimOptions {
  seed: number;
  port: number;
  host: string;
  faults?: string;
  systems?: SystemName[];
  stores?: number;
  skus?: number;
  demand?: boolean;
  demandStep: 'hour' | 'day';
  demandDays?: number;
  dayMs: number;
  estateJson?: boolean;
}

const integer =
  (what: string, min: number, max: number) =>
  (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`"${v}" is not ${what} (a whole number from ${min} to ${max})`);
    return n;
  };

function parseSystems(v: string): SystemName[] {
  const names = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = names.find((n) => !isSystemName(n));
  if (bad !== undefined || names.length === 0)
    throw new InvalidArgumentError(`"${bad ?? v}" is not a simulated system (${SYSTEM_NAMES.join(', ')})`);
  // served in port order, each once
  return SYSTEM_NAMES.filter((n) => names.includes(n));
}

function parseStep(v: string): 'hour' | 'day' {
  if (v !== 'hour' && v !== 'day') throw new InvalidArgumentError(`"${v}" is not hour or day`);
  return v;
}

/** One line: stores by region, DCs, SKUs, customers, suppliers, promotions. */
export function describeEstate(e: Estate): string {
  const byRegion = e.regions
    .map((r) => `${r.id} ${e.stores.filter((s) => s.region === r.id).length}`)
    .join(', ');
  const leaves = e.categories.filter((c) => c.parent !== undefined).length;
  return `estate: ${e.stores.length} stores (${byRegion}), ${e.distributionCentres.length} DCs, ${e.skus.length} SKUs in ${leaves} categories, ${e.customers.length} customers, ${e.suppliers.length} suppliers, ${e.promotions.length} promotions from ${e.calendarStart}`;
}

/**
 * `baton sim`: the retail estate as HTTP services on loopback until Ctrl-C or SIGTERM. A fault
 * file that does not read, parse or validate exits 2 with one line naming the bad setting.
 */
export function registerSim(program: Command, io: Io): void {
  program
    .command('sim')
    .description(
      'serve the simulated retail estate (ERP, OMS, WMS, POS, e-commerce, CRM, finance, suppliers)',
    )
    .option(
      '--seed <n>',
      `seed of the estate, faults and demand (default ${DEFAULT_SIM_SEED})`,
      integer('a seed', 0, Number.MAX_SAFE_INTEGER),
      DEFAULT_SIM_SEED,
    )
    .option(
      '--port <base>',
      `system i (${SYSTEM_NAMES.join(', ')}) listens on base + i; 0 picks free ports (default ${DEFAULT_SIM_PORT})`,
      integer('a base port', 0, 65_535 - SYSTEM_NAMES.length + 1),
      DEFAULT_SIM_PORT,
    )
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--faults <file>', 'JSON fault settings per system name or "*"')
    .option('--systems <list>', 'comma-separated systems to serve (default all)', parseSystems)
    .option('--stores <n>', 'number of stores (default 120)', integer('a store count', 1, 1000))
    .option('--skus <n>', 'number of SKUs (default 2000)', integer('a SKU count', 1, 20_000))
    .option('--demand', 'also run the demand generator and print a line per simulated day')
    .option('--demand-step <step>', 'report demand per hour or per day', parseStep, 'day')
    .option(
      '--demand-days <n>',
      'stop the demand after this many simulated days',
      integer('a day count', 1, 3650),
    )
    .option(
      '--day-ms <ms>',
      `real milliseconds per simulated day (default ${DEFAULT_TIMING.dayMs}; 0 = as fast as possible)`,
      integer('a duration', 0, 86_400_000),
      DEFAULT_TIMING.dayMs,
    )
    .option('--estate-json', 'print the seeded estate as JSON and exit')
    .action(async (o: SimOptions, cmd: Command) => {
      const usage = (message: string): never =>
        cmd.error(`baton: ${message}`, { exitCode: 2, code: 'baton.sim.input' });
      const sizes = { ...(o.stores ? { stores: o.stores } : {}), ...(o.skus ? { skus: o.skus } : {}) };
      if (o.estateJson) {
        io.out(estateJson(buildEstate({ ...sizes, seed: o.seed })));
        return;
      }
      let faults: unknown;
      if (o.faults !== undefined) {
        let text = '';
        try {
          text = readFileSync(o.faults, 'utf8');
        } catch (err) {
          usage(`--faults ${o.faults} cannot be read: ${errorMessage(err)}`);
        }
        try {
          faults = JSON.parse(text);
        } catch (err) {
          usage(`--faults ${o.faults} is not JSON: ${errorMessage(err)}`);
        }
        try {
          // checked before anything listens, so a bad file starts nothing
          new FaultController(String(o.seed), systemClock).apply(faults, 'faults');
        } catch (err) {
          usage(`--faults ${o.faults}: ${errorMessage(err)}`);
        }
      }
      const sim = await startSimulator({
        seed: o.seed,
        estate: sizes,
        ...(o.systems ? { systems: o.systems } : {}),
        port: o.port,
        host: o.host,
        ...(faults === undefined ? {} : { faults }),
        timing: { dayMs: o.dayMs || DEFAULT_TIMING.dayMs },
      });
      io.out(`baton sim: seed ${sim.seed}${o.faults ? `, faults from ${o.faults}` : ''}`);
      const width = Math.max(...Object.keys(sim.urls).map((n) => n.length));
      for (const [name, url] of Object.entries(sim.urls)) io.out(`  ${name.padEnd(width)}  ${url}`);
      io.out(describeEstate(sim.estate));
      const demand = o.demand
        ? runDemand(sim.estate, {
            step: o.demandStep,
            dayMs: o.dayMs,
            ...(o.demandDays ? { days: o.demandDays } : {}),
            onPeriod: (p) => io.out(describePeriod(p, sim.estate.currency)),
          })
        : undefined;
      let stopping = false;
      demand?.done.then(
        () => {
          if (!stopping) io.out('demand: finished; the systems keep serving');
        },
        (err) => io.err(`baton: demand stopped: ${errorMessage(err)}`),
      );
      io.out('simulating; press Ctrl-C to stop');
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          stopping = true;
          demand?.stop();
          void sim.close().then(() => {
            io.out('simulator stopped');
            resolve();
          });
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
