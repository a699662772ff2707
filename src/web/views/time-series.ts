import type { TimeSeries } from './view-types.js';

/** Buckets on the chart: enough to show a shape, few enough to read. */
export const SERIES_BUCKETS = 24;
/** The smallest bucket: a demo's alerts all arrive within a second or two, and should still show a shape. */
const MIN_BUCKET_MS = 100;

/** Counts events per time bucket and kind (pure). */
export function timeSeries(title: string, note: string, events: readonly { at: number; kind: string }[], buckets = SERIES_BUCKETS): TimeSeries {
  const kinds = [...new Set(events.map((e) => e.kind))].sort();
  if (events.length === 0) return { title, note, bucket_ms: 0, kinds, buckets: [], total: 0 };
  let lo = Infinity;
  let hi = -Infinity;
  for (const e of events) {
    lo = Math.min(lo, e.at);
    hi = Math.max(hi, e.at);
  }
  const bucketMs = Math.max(MIN_BUCKET_MS, Math.ceil((hi - lo + 1) / buckets));
  const start = Math.floor(lo / bucketMs) * bucketMs;
  const n = Math.floor((hi - start) / bucketMs) + 1;
  const out = Array.from({ length: n }, (_, i) => ({ start: new Date(start + i * bucketMs).toISOString(), counts: Object.fromEntries(kinds.map((k) => [k, 0])) as Record<string, number> }));
  for (const e of events) out[Math.floor((e.at - start) / bucketMs)]!.counts[e.kind]! += 1;
  return { title, note, bucket_ms: bucketMs, kinds, buckets: out, total: events.length };
}
