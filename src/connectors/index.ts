/**
 * Connectors to the systems around Baton. Supplier EDI (X12): trading-partner profiles, the 850
 * written from purchase_order.issued, 855/856/810 read into events, 997s both ways.
 */

// the connector SDK: declarations, the resilient client, call records, the dead-letter queue
export {
  builtinConnectors,
  crmConnector,
  ecommerceConnector,
  erpConnector,
  financeConnector,
  omsConnector,
  posConnector,
  suppliersConnector,
  wmsConnector,
} from './builtin/index.js';
export { type CallOptions, ConnectorClient } from './client.js';
export {
  type ConnectorDefinition,
  type ConnectorSpec,
  defineConnector,
  type InvokeContext,
  type OperationSpec,
  type Operations,
  operation,
} from './define.js';
export { DeadLetterQueue, type MessageHandler, type ReceiveOptions } from './dlq.js';
export {
  type Acknowledgement,
  acknowledgeEdi,
  type EdiEvent,
  type ParsedEdi,
  parseEdi,
  READ_SETS,
  type ReadInterchange,
  readAll,
} from './edi/documents.js';
export type { FunctionalAcknowledgement } from './edi/fa997.js';
export { profileFor, type Render850Options, render850 } from './edi/po850.js';
export {
  defaultSeparators,
  type InterchangeParty,
  profileIssues,
  type Separators,
  type TradingPartnerProfile,
  toProfile,
  type X12Version,
} from './edi/profile.js';
export type { ReadOptions } from './edi/read.js';
export { type Interchange, readInterchange, type Segment, X12Error } from './edi/syntax.js';
export {
  FAILURE,
  type FailureKind,
  isConnectorFailure,
  type Rejection,
  rejectionOf,
} from './errors.js';
export { DEFAULT_WINDOW_MS, healthOf, type SystemHealth } from './health.js';
export {
  defineHttpConnector,
  type HttpConnectorSpec,
  type HttpMethod,
  type HttpOperationSpec,
  httpOperation,
} from './http.js';
// declarative JSONata mappings, the POS CSV reader and webhook signatures
export * from './mappings/index.js';
export { type ResolvedSettings, SDK_DEFAULTS } from './policies.js';
export {
  type BadRow,
  POS_COLUMNS,
  PosBatchError,
  type ReadBatch,
  type ReadBatchOptions,
  type RowIssue,
  readPosBatch,
  type Sale,
  type SaleLine,
} from './pos/csv.js';
export { CallRecorder, type RecorderOptions } from './recorder.js';
export { Connectors, type ConnectorsOptions, connectorsFromConfig, LIMIT_PREFIX } from './registry.js';
export { type SignatureEncoding, signBody, verifySignature } from './webhooks/signature.js';
