/** Bounds on what a filed report may hold; each keeps one report small enough to verify, store and show at once. */

/** Bytes of one serialized report: 1,000 indicators (≈ 40 B each) and the longest narrative fit. */
export const MAX_REPORT_BYTES = 64 * 1024;
/** Indicators per report: a report points at a campaign's core, not its every record. */
export const MAX_INDICATORS = 1_000;
/** Characters of narrative: a few pages of prose. */
export const MAX_NARRATIVE_CHARS = 10_000;
/** Characters of contact: a name and an address or phone line. */
export const MAX_CONTACT_CHARS = 256;
/** A report is filed fresh: its created time may be this far from the regulator's clock (as for batches). */
export { MAX_CLOCK_SKEW_MS as REPORT_CLOCK_SKEW_MS } from '../../federation/chain/limits.js';
/** Reports a ListReports page holds when the caller sets no page size, and at most. */
export const DEFAULT_REPORT_PAGE = 100;
export const MAX_REPORT_PAGE = 1_000;
/** Shortest report-id prefix GetReport resolves: 48 bits, so collisions stay rare for millions of reports. */
export const MIN_REPORT_ID_PREFIX = 12;
