/**
 * The retail estate simulator: ERP, OMS, WMS, POS, e-commerce, CRM, finance and suppliers as HTTP
 * services on loopback over one seeded estate, with configurable faults and a demand generator.
 */
export { DEFAULT_TIMING, type SimTiming } from './context.js';
export {
  type DemandEvent,
  type DemandOptions,
  generateDemand,
  type PosSale,
  type ReturnRequest,
  type WebOrder,
} from './demand.js';
export {
  type DemandPeriod,
  type DemandRun,
  type DemandRunOptions,
  describePeriod,
  runDemand,
} from './demand-run.js';
export { buildEstate, type EstateIndex, type EstateOptions, estateJson, indexEstate } from './estate.js';
export { FaultController, type FaultFile, type FaultSpec } from './faults.js';
export type {
  Channel,
  Customer,
  DistributionCentre,
  Estate,
  Promotion,
  Sku,
  Store,
  Supplier,
} from './model.js';
export { isSystemName, SYSTEM_NAMES, type SystemName } from './names.js';
export type { SimProblem } from './problem.js';
export { type Simulator, type SimulatorOptions, startSimulator } from './simulator.js';
