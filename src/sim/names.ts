/** The simulated systems, in the order `baton sim --port P` numbers their ports (P, P+1, …). */
export const SYSTEM_NAMES = ['erp', 'oms', 'wms', 'pos', 'ecommerce', 'crm', 'finance', 'suppliers'] as const;

export type SystemName = (typeof SYSTEM_NAMES)[number];

export const isSystemName = (name: string): name is SystemName =>
  (SYSTEM_NAMES as readonly string[]).includes(name);
