import { PG_EPOCH_US } from '../../../store/copy-binary.js';

/** Field writers for PostgreSQL binary COPY rows built straight into a DataView (see batch-wire.ts). */
export const TWO_32 = 4294967296;
const PG_EPOCH_US_NUMBER = Number(PG_EPOCH_US);
/** |ms| up to this converts to µs since 2000 exactly in float arithmetic (|result| < 2^53). */
const FAST_TIME_MS = 8e12;

/** Copies n bytes between views, four at a time. */
export function copyBytes(src: DataView, start: number, n: number, dst: DataView, o: number): number {
  const words = n & ~3;
  let i = 0;
  for (; i < words; i += 4) dst.setUint32(o + i, src.getUint32(start + i));
  for (; i < n; i++) dst.setUint8(o + i, src.getUint8(start + i));
  return o + n;
}

/** A timestamptz field: length 8, then µs since 2000-01-01 as int64 (as BinaryCopyWriter writes it). */
export function writeTime(dv: DataView, o: number, ms: number): number {
  dv.setUint32(o, 8);
  if (ms >= -FAST_TIME_MS && ms <= FAST_TIME_MS) {
    const us = ms * 1000 - PG_EPOCH_US_NUMBER;
    const hi = Math.floor(us / TWO_32);
    dv.setInt32(o + 4, hi);
    dv.setUint32(o + 8, us - hi * TWO_32);
  } else {
    dv.setBigInt64(o + 4, BigInt(ms) * 1000n - PG_EPOCH_US);
  }
  return o + 12;
}
