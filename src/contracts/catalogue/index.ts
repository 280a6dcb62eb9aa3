/**
 * The built-in retail event catalogue: nineteen event types across the five retail flows, each
 * with its owner, a description, a JSON Schema 2020-12 declared with TypeBox and an example.
 */
import type { CatalogueEntry } from './common.js';
import {
  inventoryThresholdBreached,
  transferApproved,
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
import { returnAuthorized, returnReceived, returnRefunded } from './returns.js';

export type { CatalogueEntry } from './common.js';
export type {
  InventoryThresholdBreached,
  TransferApproved,
  TransferReceived,
  TransferRequested,
  TransferShipped,
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
export type { ReturnAuthorized, ReturnReceived, ReturnRefunded } from './returns.js';

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
  returnAuthorized,
  returnReceived,
  returnRefunded,
  shipmentDelayed,
  purchaseOrderIssued,
  purchaseOrderAcknowledged,
  asnReceived,
  invoicePosted,
];
