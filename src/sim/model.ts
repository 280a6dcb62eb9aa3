/**
 * The simulated retail estate as data. Glossary:
 * - location: a store or a distribution centre (DC); stock is held per SKU and location.
 * - channel: where a price applies, `store` (POS) or `web` (e-commerce).
 * - exposure: what a customer owes now (open receivables); credit available is limit minus exposure.
 * - ABC class: A sells fastest (top fifth by revenue), C slowest; drives ranging and stock cover.
 * Money is in `currency`, net of VAT, rounded to cents.
 */

export type Channel = 'store' | 'web';
export const CHANNELS: readonly Channel[] = ['store', 'web'];

export interface Region {
  id: string;
  name: string;
}

export interface Store {
  id: string;
  name: string;
  region: string;
  city: string;
  gln: string;
  format: 'flagship' | 'standard' | 'express';
  /** Relative footfall: 1 is an average standard store. */
  sizeFactor: number;
  /** The DC that replenishes it. */
  dcId: string;
  openHour: number;
  closeHour: number;
}

export interface DistributionCentre {
  id: string;
  name: string;
  city: string;
  gln: string;
  regions: string[];
}

export interface Category {
  id: string;
  name: string;
  /** Absent on departments, the top of the tree. */
  parent?: string;
  /** Share of units sold that are returned (leaves only). */
  returnRate?: number;
}

export interface Sku {
  sku: string;
  gtin: string;
  name: string;
  /** A leaf of the category tree. */
  category: string;
  department: string;
  prices: Record<Channel, number>;
  cost: number;
  abc: 'A' | 'B' | 'C';
  /** Units per case: orders to suppliers and DC transfers are in whole cases. */
  packSize: number;
  uom: 'EA';
  supplierId: string;
  /** Mean units an average store sells per day at the list price. */
  velocity: number;
}

export interface Customer {
  id: string;
  name: string;
  kind: 'trade' | 'consumer';
  email: string;
  phone: string;
  region: string;
  creditLimit: number;
  exposure: number;
  paymentTermsDays: number;
  consents: { email: boolean; sms: boolean };
}

/** How a supplier behaves over EDI: how fast and how faithfully it answers a purchase order. */
export interface EdiBehaviour {
  x12Version: '004010' | '005010';
  /** The supplier's interchange id (ISA06/ISA08), at most 15 characters. */
  interchangeId: string;
  /** Hours between receiving an 850 and sending the 855. */
  ackDelayHours: number;
  /** Share of orders acknowledged with changes (quantity cut, date moved, line rejected). */
  ackWithChangesRate: number;
  /** Share of orders shipped after the promised date. */
  lateShipRate: number;
  /** How late a late shipment is, in days. */
  lateDays: [number, number];
}

export interface Supplier {
  id: string;
  name: string;
  gln: string;
  /** GS1 company prefix of the GTINs it owns. */
  companyPrefix: string;
  department: string;
  leadTimeDays: number;
  /** Share of ordered units it actually ships. */
  fillRate: number;
  edi: EdiBehaviour;
}

export interface Promotion {
  id: string;
  name: string;
  skus: string[];
  discountPct: number;
  /** Demand multiplier on promoted SKUs while the promotion runs. */
  uplift: number;
  regions: string[];
  channels: Channel[];
  /** ISO dates, both included. */
  start: string;
  end: string;
}

export interface Estate {
  seed: string;
  currency: string;
  /** A Monday; promotions and the default demand window start here. */
  calendarStart: string;
  regions: Region[];
  distributionCentres: DistributionCentre[];
  stores: Store[];
  categories: Category[];
  skus: Sku[];
  /** On-hand units by SKU, then location id; a location missing from a SKU's map holds none. */
  stock: Record<string, Record<string, number>>;
  customers: Customer[];
  suppliers: Supplier[];
  promotions: Promotion[];
}
