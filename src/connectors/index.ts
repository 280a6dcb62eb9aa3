/**
 * Connectors to the systems around Baton. Supplier EDI (X12): trading-partner profiles, the 850
 * written from purchase_order.issued, 855/856/810 read into events, 997s both ways.
 */

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
