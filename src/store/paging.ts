/** The most records one listing returns, whatever it was asked for. */
export const MAX_PAGE = 10_000;

/** A listing's `limit`: 100 when not given, at least 1, at most MAX_PAGE. */
export const pageLimit = (limit: number | undefined): number => Math.min(Math.max(limit ?? 100, 1), MAX_PAGE);
