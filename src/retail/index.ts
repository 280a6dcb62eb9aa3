export { createDemoSystems, EffectLog } from './demo-systems.js';
// the order, transfer and returns flows on the connectors and the rules
export { SYSTEM_RETRY } from './flows/common.js';
export { portsFromConnectors } from './flows/connector-ports.js';
export { type EstateSites, type LocationDirectory, locationsFrom } from './flows/locations.js';
// the promotion launch and the replenishment flows
export { type EstateLike, type MasterData, masterDataFrom } from './flows/master-data.js';
export {
  type OrderFlowOptions,
  orderFulfilmentFlow,
  triggerOrderFulfilment,
} from './flows/order-fulfilment.js';
export type { CrmPort, ErpPort, FinancePort, OmsPort, RetailPorts, WmsPort } from './flows/ports.js';
export {
  type PromotionFlowOptions,
  promotionLaunchFlow,
  triggerPromotionLaunch,
} from './flows/promotion.js';
export { planPromotion, UPLIFT_PER_POINT } from './flows/promotion-model.js';
export {
  type ReplenishmentFlowOptions,
  replenishmentFlow,
  triggerReplenishment,
} from './flows/replenishment.js';
export { poNumberFor, type ReplenishmentRequest } from './flows/replenishment-input.js';
export { type ReturnsFlowOptions, returnsFlow, triggerReturns } from './flows/returns.js';
export {
  type ReturnArrived,
  ReturnArrivedSchema,
  type ReturnRequested,
  ReturnRequestedSchema,
} from './flows/returns-events.js';
export { type FlowRules, fileRules, governedRules } from './flows/rules.js';
export { type TransferFlowOptions, transferFlow, triggerTransfer } from './flows/transfer.js';
// the main job: the five flows over one estate, its colleagues, its live summary and its report
export {
  answerFor,
  type ColleagueOptions,
  type Colleagues,
  colleagueOf,
  startColleagues,
} from './main-job/colleagues.js';
export {
  type EstateData,
  type EstateFlowOptions,
  type EstateFlows,
  estateFlows,
  FLOW_NAMES,
  tableRules,
} from './main-job/flows.js';
export { type PlannedPromotion, promotionApproved } from './main-job/promotion-event.js';
export {
  describeReport,
  percentile,
  type ScenarioReport,
  scenarioReport,
  type Timing,
} from './main-job/report.js';
export { describeSnapshot, type EstateSnapshot, snapshot } from './main-job/summary.js';
export type { OrderLine, RetailSystems } from './systems.js';
export { OrderInput, ReturnInput, referenceLimits, referenceWorkflows, TransferInput } from './workflows.js';
