import type { FastifyInstance } from 'fastify';
import { type Clock, systemClock, ValidationError } from '../core/index.js';
import { DEFAULT_TIMING, type SimContext, type SimTiming } from './context.js';
import { buildEstate, type EstateIndex, type EstateOptions, estateJson, indexEstate } from './estate.js';
import { FaultController } from './faults.js';
import { createSystemApp, type SystemRoutes } from './http.js';
import type { Estate } from './model.js';
import { SYSTEM_NAMES, type SystemName } from './names.js';
import { SimState } from './state.js';
import { channelRoutes } from './systems/channels.js';
import { crmRoutes } from './systems/crm.js';
import { erpRoutes } from './systems/erp.js';
import { financeRoutes } from './systems/finance.js';
import { omsRoutes } from './systems/oms.js';
import { supplierRoutes } from './systems/suppliers.js';
import { wmsRoutes } from './systems/wms.js';

const ROUTES: Record<SystemName, (r: SystemRoutes, ctx: SimContext) => void> = {
  erp: erpRoutes,
  oms: omsRoutes,
  wms: wmsRoutes,
  pos: channelRoutes('pos'),
  ecommerce: channelRoutes('ecommerce'),
  crm: crmRoutes,
  finance: financeRoutes,
  suppliers: supplierRoutes,
};

export interface SimulatorOptions {
  seed?: string | number;
  /** Sizes of the estate; the defaults are the full 120 stores and 2,000 SKUs. */
  estate?: Omit<EstateOptions, 'seed'>;
  /** The systems to serve; all when absent. */
  systems?: readonly SystemName[];
  /** Base port: system number i (in `SYSTEM_NAMES` order) listens on port + i; 0 picks free ports. */
  port?: number;
  host?: string;
  /** A fault file: settings per system name or `*`. */
  faults?: unknown;
  clock?: Clock;
  timing?: Partial<SimTiming>;
}

export interface Simulator {
  seed: string;
  estate: Estate;
  index: EstateIndex;
  state: SimState;
  faults: FaultController;
  /** The base URL of every running system. */
  urls: Partial<Record<SystemName, string>>;
  url(system: SystemName): string;
  close(): Promise<void>;
}

/**
 * Starts the simulated estate: one HTTP service per system, each on its own loopback port, all
 * over one seeded estate and one shared state. The same seed gives the same estate, the same
 * supplier behaviour and (for the same sequence of requests) the same faults.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const seed = String(options.seed ?? 1);
  const clock = options.clock ?? systemClock;
  const host = options.host ?? '127.0.0.1';
  const systems = options.systems ?? SYSTEM_NAMES;
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port + SYSTEM_NAMES.length - 1 > 65_535)
    throw new ValidationError(
      `port ${port} is not a base port (0, or 1 to ${65_535 - SYSTEM_NAMES.length + 1})`,
      [{ path: '/port', message: 'is out of range' }],
    );
  const estate = buildEstate({ ...options.estate, seed });
  const index = indexEstate(estate);
  const faults = new FaultController(seed, clock);
  if (options.faults !== undefined) faults.apply(options.faults);
  const urls: Partial<Record<SystemName, string>> = {};
  let json: string | undefined;
  const ctx: SimContext = {
    seed,
    index,
    state: new SimState(index, clock),
    faults,
    clock,
    timing: { ...DEFAULT_TIMING, ...options.timing },
    timers: new Set(),
    urls: () => ({ ...urls }),
    estateJson: () => {
      json ??= estateJson(estate);
      return json;
    },
  };
  const apps: FastifyInstance[] = [];
  const close = async () => {
    for (const t of ctx.timers) clearTimeout(t);
    ctx.timers.clear();
    await Promise.all(apps.map((a) => a.close()));
  };
  try {
    for (const name of systems) {
      const app = createSystemApp(name, ctx, ROUTES[name]);
      apps.push(app);
      const at = await app.listen({ host, port: port === 0 ? 0 : port + SYSTEM_NAMES.indexOf(name) });
      urls[name] = at.replace('[::1]', 'localhost');
    }
  } catch (err) {
    await close();
    throw err;
  }
  return {
    seed,
    estate,
    index,
    state: ctx.state,
    faults,
    urls,
    url: (system) => {
      const u = urls[system];
      if (!u)
        throw new ValidationError(`the ${system} system is not running`, [
          { path: '/systems', message: `${system} not started` },
        ]);
      return u;
    },
    close,
  };
}
