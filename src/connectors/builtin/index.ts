import type { ConnectorDefinition, Operations } from '../define.js';
import { ecommerceConnector, posConnector } from './channels.js';
import { crmConnector } from './crm.js';
import { erpConnector } from './erp.js';
import { financeConnector } from './finance.js';
import { omsConnector } from './oms.js';
import { suppliersConnector } from './suppliers.js';
import { wmsConnector } from './wms.js';

/**
 * The built-in connectors: one per system of the retail estate, each a documented HTTP interface
 * (README, "Built-in connectors") that `baton sim` serves and a retailer's system can offer as is.
 * Each system's `baseUrl` comes from `connectors.<system>.baseUrl`. Refusals arrive as
 * `connector.rejected` failures; `rejectionOf(err)` reads their problem type and detail.
 */
export { ecommerceConnector, posConnector } from './channels.js';
export { crmConnector } from './crm.js';
export { erpConnector } from './erp.js';
export { financeConnector } from './finance.js';
export { omsConnector } from './oms.js';
export { suppliersConnector } from './suppliers.js';
export { wmsConnector } from './wms.js';

export const builtinConnectors: ReadonlyArray<ConnectorDefinition<Operations>> = [
  erpConnector,
  omsConnector,
  wmsConnector,
  posConnector,
  ecommerceConnector,
  crmConnector,
  financeConnector,
  suppliersConnector,
] as unknown as ReadonlyArray<ConnectorDefinition<Operations>>;
