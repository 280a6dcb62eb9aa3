/**
 * The shape of demand, shared by the demand generator and by finance's margin forecast so the
 * two agree: a weekly pattern that peaks on Saturday, store hours that peak at lunch and after
 * work, web orders that peak in the evening, and the web's share of units.
 */

/** Demand by day of week, Monday first; the mean is 1 so daily velocities stay daily means. */
export const WEEKDAY_FACTORS = [0.82, 0.78, 0.84, 0.94, 1.14, 1.52, 0.96] as const;

/** Web demand is flatter and peaks on Sunday evening sofas. */
export const WEB_WEEKDAY_FACTORS = [1.02, 0.94, 0.93, 0.95, 0.9, 0.98, 1.28] as const;

/** Web units as a share of store units across the estate. */
export const WEB_SHARE = 0.18;

/** Mean units in a store basket and in a web order. */
export const STORE_BASKET_UNITS = 2.4;
export const WEB_BASKET_UNITS = 3.1;

/** Relative traffic per hour of day, 0–23, while a store is open: a lunch peak and an after-work peak. */
const STORE_HOUR_SHAPE = [
  0, 0, 0, 0, 0, 0, 0, 0.5, 0.7, 0.8, 0.95, 1.1, 1.35, 1.25, 1, 0.95, 1.05, 1.3, 1.45, 1.2, 0.85, 0.6, 0.4, 0,
];
const WEB_HOUR_SHAPE = [
  0.35, 0.2, 0.12, 0.08, 0.08, 0.12, 0.3, 0.55, 0.75, 0.85, 0.9, 0.95, 1.05, 1, 0.95, 0.95, 1, 1.1, 1.3, 1.6,
  1.85, 1.8, 1.35, 0.75,
];

function normalise(shape: number[]): number[] {
  const total = shape.reduce((s, v) => s + v, 0);
  return shape.map((v) => v / total);
}

/** The share of a store's day that falls in each hour, zero outside its opening hours. */
export function storeHourShares(openHour: number, closeHour: number): number[] {
  return normalise(STORE_HOUR_SHAPE.map((v, h) => (h >= openHour && h < closeHour ? v : 0)));
}

export const WEB_HOUR_SHARES = normalise(WEB_HOUR_SHAPE);

/** Day of week of an ISO date or epoch ms, Monday = 0. */
export const weekdayIndex = (ms: number): number => (new Date(ms).getUTCDay() + 6) % 7;
