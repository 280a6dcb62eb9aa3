/**
 * Where stores and distribution centres are, for the transfer policy's facts (same region, distance
 * by road). A retailer backs `LocationDirectory` with its site master; `locationsFrom` builds one from
 * an estate in the simulator's shape (`GET /_sim/estate`), placing each site at its city.
 */
export interface LocationDirectory {
  /** The region a location belongs to (a DC serving several: the first). */
  region(id: string): string | undefined;
  /** Whether two locations share a region (a DC belongs to every region it serves). */
  sameRegion(a: string, b: string): boolean;
  /** Road distance between two locations in km, estimated when the directory knows no better. */
  distanceKm(from: string, to: string): number | undefined;
}

export interface EstateSites {
  stores: Array<{ id: string; region: string; city: string }>;
  distributionCentres: Array<{ id: string; regions: string[]; city: string }>;
}

/** Latitude and longitude of the cities the simulated estate puts its sites in. */
const CITIES: Record<string, [number, number]> = {
  Hamburg: [53.55, 9.99],
  Bremen: [53.08, 8.8],
  Kiel: [54.32, 10.14],
  Hanover: [52.37, 9.74],
  Luebeck: [53.87, 10.69],
  Rostock: [54.09, 12.1],
  Oldenburg: [53.14, 8.21],
  Osnabrueck: [52.28, 8.05],
  Munich: [48.14, 11.58],
  Stuttgart: [48.78, 9.18],
  Nuremberg: [49.45, 11.08],
  Augsburg: [48.37, 10.9],
  Freiburg: [47.99, 7.85],
  Regensburg: [49.01, 12.1],
  Ulm: [48.4, 9.99],
  Wuerzburg: [49.79, 9.95],
  Berlin: [52.52, 13.4],
  Leipzig: [51.34, 12.37],
  Dresden: [51.05, 13.74],
  Erfurt: [50.98, 11.03],
  Magdeburg: [52.12, 11.63],
  Potsdam: [52.39, 13.06],
  Chemnitz: [50.83, 12.92],
  Halle: [51.48, 11.97],
  Cologne: [50.94, 6.96],
  Duesseldorf: [51.23, 6.77],
  Dortmund: [51.51, 7.47],
  Essen: [51.46, 7.01],
  Bonn: [50.73, 7.1],
  Muenster: [51.96, 7.63],
  Aachen: [50.78, 6.08],
  Duisburg: [51.43, 6.76],
  Kassel: [51.31, 9.48],
};

/** Roads are longer than the straight line; 1.3 is a common detour factor for Germany. */
const DETOUR = 1.3;

function greatCircleKm([lat1, lon1]: [number, number], [lat2, lon2]: [number, number]): number {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(a));
}

export function locationsFrom(estate: EstateSites): LocationDirectory {
  const sites = new Map<string, { regions: string[]; city: string }>();
  for (const s of estate.stores) sites.set(s.id, { regions: [s.region], city: s.city });
  for (const d of estate.distributionCentres) sites.set(d.id, { regions: d.regions, city: d.city });
  return {
    region: (id) => sites.get(id)?.regions[0],
    sameRegion: (a, b) => (sites.get(a)?.regions ?? []).some((r) => sites.get(b)?.regions.includes(r)),
    distanceKm(from, to) {
      const a = CITIES[sites.get(from)?.city ?? ''];
      const b = CITIES[sites.get(to)?.city ?? ''];
      if (!a || !b) return undefined;
      // two sites in one city are still a drive apart
      return Math.max(5, Math.round(greatCircleKm(a, b) * DETOUR));
    },
  };
}
