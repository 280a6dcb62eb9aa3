/**
 * The built-in retail event catalogue: twenty-two event types across the five retail flows, each
 * with its owner, a description, a JSON Schema 2020-12 declared with TypeBox and an example.
 */
import type { CatalogueEntry } from './common.js';
import {
  inventoryThresholdBreached,
  transferApproved,
  transferArrived,
  transferReceived,
  transferRequested,
  transferShipped,
} from './inventory.js';
import { orderConfirmed, orderCreated, orderExceptionRaised } from './orders.js';
import { priceChanged, promotionApproved, promotionLaunched } from './pricing.js';
import {
  asnReceived,
  invoicePosted,
  purchaseOrderAcknowledged,
  purchaseOrderIssued,
  shipmentDelayed,
} from './procurement.js';
import {
  returnArrived,
  returnAuthorized,
  returnReceived,
  returnRefunded,
  returnRequested,
} from './returns.js';

export type { CatalogueEntry } from './common.js';
export {
  type InventoryThresholdBreached,
  type TransferApproved,
  type TransferArrived,
  TransferArrivedSchema,
  type TransferReceived,
  type TransferRequested,
  type TransferShipped,
} from './inventory.js';
export type { OrderConfirmed, OrderCreated, OrderExceptionRaised } from './orders.js';
export type { PriceChanged, PromotionApproved, PromotionLaunched } from './pricing.js';
export type {
  AsnReceived,
  InvoicePosted,
  PurchaseOrderAcknowledged,
  PurchaseOrderIssued,
  ShipmentDelayed,
} from './procurement.js';
export {
  type ReturnArrived,
  ReturnArrivedSchema,
  type ReturnAuthorized,
  type ReturnReceived,
  type ReturnRefunded,
  type ReturnRequested,
  ReturnRequestedSchema,
} from './returns.js';

export const catalogue: readonly CatalogueEntry[] = [
  orderCreated,
  orderConfirmed,
  orderExceptionRaised,
  promotionApproved,
  promotionLaunched,
  priceChanged,
  inventoryThresholdBreached,
  transferRequested,
  transferApproved,
  transferShipped,
  transferReceived,
  transferArrived,
  returnRequested,
  returnAuthorized,
  returnArrived,
  returnReceived,
  returnRefunded,
  shipmentDelayed,
  purchaseOrderIssued,
  purchaseOrderAcknowledged,
  asnReceived,
  invoicePosted,
];
