/**
 * The planning master data the promotion and replenishment flows read: items with their sales
 * velocity and supplier, stores with their footfall and distribution centre, DCs with the regions
 * they serve, and suppliers with their EDI ids and lead times. A retailer backs this with its item
 * master and BI; the simulator's estate (`GET /_sim/estate`) has exactly this shape, so
 * `masterDataFrom(sim.estate)` serves the reference flows.
 *
 * Glossary: velocity is the mean units an average store (footfall 1) sells a day at list price.
 */

export interface ItemData {
  sku: string;
  gtin: string;
  department: string;
  abc: 'A' | 'B' | 'C';
  packSize: number;
  cost: number;
  prices: { store: number; web: number };
  supplierId: string;
  velocity: number;
}

export interface StoreData {
  id: string;
  gln: string;
  region: string;
  sizeFactor: number;
  dcId: string;
}

export interface DcData {
  id: string;
  gln: string;
  regions: string[];
}

export interface SupplierData {
  id: string;
  name: string;
  gln: string;
  department: string;
  leadTimeDays: number;
  edi: { interchangeId: string };
}

/** The estate-shaped source, structurally (the simulator's `Estate` fits it). */
export interface EstateLike {
  currency: string;
  skus: readonly ItemData[];
  stores: readonly StoreData[];
  distributionCentres: readonly DcData[];
  suppliers: readonly SupplierData[];
}

export interface MasterData {
  currency: string;
  item(sku: string): ItemData | undefined;
  stores(): readonly StoreData[];
  dcs(): readonly DcData[];
  supplier(id: string): SupplierData | undefined;
  /** Baton location ids by GLN, for EDI documents that name a location only by its GLN. */
  locationsByGln(): Record<string, string>;
  /** Other suppliers of the same department, shortest lead time first: candidates to source from. */
  alternatesFor(supplierId: string): SupplierData[];
}

export function masterDataFrom(estate: EstateLike): MasterData {
  const items = new Map(estate.skus.map((s) => [s.sku, s]));
  const suppliers = new Map(estate.suppliers.map((s) => [s.id, s]));
  return {
    currency: estate.currency,
    item: (sku) => items.get(sku),
    stores: () => estate.stores,
    dcs: () => estate.distributionCentres,
    supplier: (id) => suppliers.get(id),
    locationsByGln: () =>
      Object.fromEntries([...estate.stores, ...estate.distributionCentres].map((l) => [l.gln, l.id])),
    alternatesFor(supplierId) {
      const own = suppliers.get(supplierId);
      return estate.suppliers
        .filter((s) => s.id !== supplierId && (!own || s.department === own.department))
        .sort((a, b) => a.leadTimeDays - b.leadTimeDays || a.id.localeCompare(b.id));
    },
  };
}

/**
 * Contract regions are ISO-style codes (`DE-NORTH`); the estate names its regions `north`. The
 * part after the country is the estate's region, so a retailer with other codes changes this one
 * function.
 */
export const estateRegion = (contractRegion: string): string =>
  (contractRegion.split('-')[1] ?? contractRegion).toLowerCase();

export const contractRegion = (estateRegion: string, country = 'DE'): string =>
  `${country}-${estateRegion.toUpperCase()}`;
