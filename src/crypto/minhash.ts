import { createCipheriv, hkdfSync } from 'node:crypto';
import { invalidInput } from '../errors.js';

/**
 * Keyed MinHash signatures of template skeletons, and their LSH band digests.
 *
 * Pipeline: skeleton → character 5-gram shingles → a keyed 128-bit PRF of each
 * shingle (AES-256 on its one-block encoding) → one-permutation MinHash (OPH)
 * into 128 bins with optimal densification → 32 bands of 4 values, each band
 * digested by a keyed PRF into 16 bytes.
 *
 * Why keyed: every hash an outsider could compute would let them test guessed
 * prompts against published signatures. Here the first step already needs the
 * consortium key, so signatures and band digests are unpredictable without it.
 *
 * Why AES and OPH: ≥ 30,000 signatures/s on one core, skeleton included. A
 * ~200-character prompt has ~160 shingles after skeletonisation. Measured
 * (test/bench/templates.ts, signing alone): an HMAC-SHA256 per shingle gives
 * ~2,000 signatures/s; classic MinHash (128 Math.imul hash functions per
 * shingle, 20,000 mixes) ~22,000/s; one AES-ECB call over all shingle blocks
 * (AES-NI, one call into OpenSSL) plus OPH, which evaluates one hash per
 * shingle, ~90,000/s. OPH with optimal densification estimates Jaccard about
 * as well as classic MinHash (Shrivastava, "Optimal Densification for Fast and
 * Accurate Minwise Hashing", ICML 2017); the tests check its error.
 * ECB here is not encryption of a message: each block is one independent PRF
 * input, which is exactly what a block cipher is (a PRP; truncating its
 * output to 32 bits makes it indistinguishable from a PRF).
 */

/** Key length: the consortium's template-signature key. */
export const SIGNER_KEY_BYTES = 32;
/** Character n-gram size: 5 characters survive one-word edits in most of a sentence, yet are specific enough that unrelated prose shares few. */
export const SHINGLE_SIZE = 5;
/** MinHash values per signature: standard error of a Jaccard estimate ≤ 0.5/√128 ≈ 0.044. */
export const MINHASH_SIZE = 128;
/**
 * LSH banding, from the S-curve P(candidate | J) = 1 − (1 − J^r)^b:
 *   b=32, r=4: J=0.7 → 0.99985, J=0.5 → 0.873, J=0.3 → 0.229, J=0.1 → 0.003.
 * Recall at J ≥ 0.7 is ≥ 0.9998 and the curve's midpoint, (1/b)^(1/r) ≈ 0.42,
 * sits below MATCH_THRESHOLD, so LSH rarely loses a pair that verification would
 * keep. r=5 (b=25) would lose 1% at J=0.7; r=3 (b=42) makes 68% of J=0.3 pairs
 * candidates. r=4 is also what fits one AES block (4 × 32 bits).
 */
export const LSH_BANDS = 32;
export const LSH_ROWS = 4;
/** Band digest length: 128 bits, one AES block; accidental collisions are negligible at any table size. */
export const BAND_DIGEST_BYTES = 16;
/**
 * Verification: a candidate pair matches when the estimated Jaccard is at least
 * this. At J=0.7 the estimate falls below 0.5 with probability < 1e-5 (σ ≈ 0.04);
 * at J=0.3 it rises above with probability < 1e-5.
 */
export const MATCH_THRESHOLD = 0.5;

if (LSH_BANDS * LSH_ROWS !== MINHASH_SIZE || LSH_ROWS * 4 !== BAND_DIGEST_BYTES) {
  throw new Error('minhash: bands × rows must equal MINHASH_SIZE, and one band must fill one AES block');
}

/** Bin index mask: MINHASH_SIZE is a power of two. */
const BIN_MASK = MINHASH_SIZE - 1;
const BLOCK = 16;
/** Densification gives up on random probing after this many tries and scans instead (never reached in practice: ≥ 1 of 128 bins is full). */
const MAX_DONOR_PROBES = 4 * MINHASH_SIZE * MINHASH_SIZE;
/** Version the key derivation, so a future change of algorithm cannot produce colliding signatures. */
const KDF_SALT = 'cordon/template-signature/v1';

export interface TemplateSignature {
  /** 128 keyed MinHash values: shared for verification. */
  readonly minhash: Uint32Array;
  /** 32 keyed band digests of 16 bytes: shared for lookup. Views into one buffer. */
  readonly bands: Uint8Array[];
}

export interface TemplateSigner {
  /** Signs a skeleton (see fingerprint/template/skeleton). */
  sign(skeleton: string): TemplateSignature;
}

function derive(key: Uint8Array, info: string, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', key, KDF_SALT, info, length));
}

/** A public-quality 32-bit mixer (murmur3 finalizer), for choosing densification donors. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * Byte order is part of the signature format (little-endian), so two
 * providers on different hardware sign alike. Typed-array views are the fast
 * path; on a big-endian host values are byte-swapped to the same result.
 */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const swap32 = (x: number): number => (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;

/** The little-endian 32-bit words of a buffer (copied when unaligned or on a big-endian host). */
function words(buf: Buffer): Uint32Array {
  if (LITTLE_ENDIAN && buf.byteOffset % 4 === 0) return new Uint32Array(buf.buffer, buf.byteOffset, buf.length >>> 2);
  const out = new Uint32Array(buf.length >>> 2);
  for (let i = 0; i < out.length; i++) out[i] = buf.readUInt32LE(i * 4);
  return out;
}

/**
 * Creates a signer for one key. The signer keeps scratch buffers, so it is
 * cheap per call but not reentrant; it is synchronous, so that is only a
 * concern across worker threads, each of which creates its own.
 */
export function createTemplateSigner(key: Uint8Array): TemplateSigner {
  if (!(key instanceof Uint8Array) || key.length !== SIGNER_KEY_BYTES) {
    throw invalidInput('template signer', `key must be ${SIGNER_KEY_BYTES} bytes`);
  }
  // Independent subkeys: shingle PRF, band PRF, band masks, donor seed.
  const shingleCipher = createCipheriv('aes-256-ecb', derive(key, 'shingle-prf', 32), null).setAutoPadding(false);
  const bandCipher = createCipheriv('aes-256-ecb', derive(key, 'band-prf', 32), null).setAutoPadding(false);
  // XE-style tweak: band b's block is masked with a secret Δ_b before the PRP,
  // so equal rows in different bands give unrelated digests.
  const bandMasks = derive(key, 'band-masks', LSH_BANDS * BLOCK);
  const donorSeed = derive(key, 'donor-seed', 4).readUInt32LE(0);

  // Scratch, reused across calls. Buffer.alloc is 8-byte aligned, so typed views fit.
  let blocks = Buffer.alloc(256 * BLOCK);
  let blockWords = new Uint32Array(blocks.buffer, blocks.byteOffset, blocks.length >>> 2);
  let pairs = new Uint32Array(512);
  const bins = new Uint32Array(MINHASH_SIZE);
  const filled = new Uint8Array(MINHASH_SIZE);
  const bandInput = Buffer.alloc(LSH_BANDS * BLOCK);
  const bandWords = new Uint32Array(bandInput.buffer, bandInput.byteOffset, MINHASH_SIZE);
  const maskWords = new Uint32Array(bandMasks.buffer, bandMasks.byteOffset, MINHASH_SIZE);

  /**
   * Writes each shingle as one 16-byte block: its ≤ 5 UTF-16 code units
   * (little-endian), its length as a 16-bit word, then zeros (so a short
   * skeleton's single shingle differs from any 5-unit one). Written as 32-bit
   * words built from pairs of code units: 3 writes a shingle, not 16.
   */
  function encodeShingles(s: string): number {
    const length = s.length;
    const count = length >= SHINGLE_SIZE ? length - SHINGLE_SIZE + 1 : 1;
    if (count * BLOCK > blocks.length) {
      blocks = Buffer.alloc(count * BLOCK * 2);
      blockWords = new Uint32Array(blocks.buffer, blocks.byteOffset, blocks.length >>> 2);
    }
    if (length + 1 > pairs.length) pairs = new Uint32Array(2 * length + 2);
    // pairs[p] = unit p | unit p+1 << 16, zero past the end.
    let next = length > 0 ? s.charCodeAt(0) : 0;
    for (let p = 0; p < length; p++) {
      const unit = next;
      next = p + 1 < length ? s.charCodeAt(p + 1) : 0;
      pairs[p] = (unit | (next << 16)) >>> 0;
    }
    // Zero past the end: a short skeleton's block reads pairs up to index 4.
    for (let p = length; p <= Math.max(length + 1, 4); p++) pairs[p] = 0;
    const width = Math.min(SHINGLE_SIZE, length);
    for (let p = 0; p < count; p++) {
      const o = p * 4;
      const w0 = pairs[p]!;
      const w1 = pairs[p + 2]!;
      const w2 = ((pairs[p + 4]! & 0xffff) | (width << 16)) >>> 0;
      blockWords[o] = LITTLE_ENDIAN ? w0 : swap32(w0);
      blockWords[o + 1] = LITTLE_ENDIAN ? w1 : swap32(w1);
      blockWords[o + 2] = LITTLE_ENDIAN ? w2 : swap32(w2);
      blockWords[o + 3] = 0;
    }
    return count;
  }

  function sign(skeletonText: string): TemplateSignature {
    const count = encodeShingles(skeletonText);
    const prf = words(shingleCipher.update(blocks.subarray(0, count * BLOCK)));
    filled.fill(0);
    // One permutation: a shingle's PRF output picks its bin (low 7 bits of
    // word 0) and its value (word 1); each bin keeps its minimum.
    for (let p = 0; p < count; p++) {
      const bin = prf[p * 4]! & BIN_MASK;
      const value = prf[p * 4 + 1]!;
      if (filled[bin] === 0 || value < bins[bin]!) {
        bins[bin] = value;
        filled[bin] = 1;
      }
    }
    const minhash = new Uint32Array(MINHASH_SIZE);
    for (let i = 0; i < MINHASH_SIZE; i++) {
      minhash[i] = filled[i] === 1 ? bins[i]! : bins[donor(i)]!;
    }
    return { minhash, bands: bandDigests(minhash) };
  }

  /**
   * Optimal densification: an empty bin copies the value of the first full
   * bin in its own pseudorandom probe sequence. The sequence depends only on
   * the bin (not on the data), so two similar sets borrow alike, keeping the
   * estimate unbiased with variance close to classic MinHash.
   */
  function donor(bin: number): number {
    for (let attempt = 1; attempt <= MAX_DONOR_PROBES; attempt++) {
      const d = mix32(donorSeed ^ Math.imul(bin + 1, 0x9e3779b1) ^ Math.imul(attempt, 0x7feb352d)) & BIN_MASK;
      if (filled[d] === 1) return d;
    }
    for (let k = 1; k < MINHASH_SIZE; k++) if (filled[(bin + k) & BIN_MASK] === 1) return (bin + k) & BIN_MASK;
    throw new Error('minhash: no full bin (a skeleton always has at least one shingle)');
  }

  function bandDigests(minhash: Uint32Array): Uint8Array[] {
    for (let i = 0; i < MINHASH_SIZE; i++) {
      bandWords[i] = (LITTLE_ENDIAN ? minhash[i]! : swap32(minhash[i]!)) ^ maskWords[i]!;
    }
    const out = bandCipher.update(bandInput);
    const bands: Uint8Array[] = new Array(LSH_BANDS);
    // Plain Uint8Array views: cheaper to create than Buffer.subarray.
    for (let b = 0; b < LSH_BANDS; b++) bands[b] = new Uint8Array(out.buffer, out.byteOffset + b * BLOCK, BLOCK);
    return bands;
  }

  return { sign };
}

/** Estimated Jaccard similarity: the fraction of positions where two MinHash signatures agree. */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length || a.length === 0) throw invalidInput('estimateJaccard', `signatures differ in length (${a.length} vs ${b.length})`);
  let equal = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) equal++;
  return equal / a.length;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when two signatures share at least one band digest (an LSH candidate pair). */
export function lshCollide(a: TemplateSignature, b: TemplateSignature): boolean {
  for (let i = 0; i < a.bands.length && i < b.bands.length; i++) if (bytesEqual(a.bands[i]!, b.bands[i]!)) return true;
  return false;
}

/** A match, as a receiver decides it: an LSH candidate whose verified similarity reaches MATCH_THRESHOLD. */
export function templatesMatch(a: TemplateSignature, b: TemplateSignature, threshold = MATCH_THRESHOLD): boolean {
  return lshCollide(a, b) && estimateJaccard(a.minhash, b.minhash) >= threshold;
}

/** The set of character shingles of a skeleton, exactly as the signer shingles it. */
export function shingles(s: string): Set<string> {
  const out = new Set<string>();
  if (s.length < SHINGLE_SIZE) {
    out.add(s);
    return out;
  }
  for (let p = 0; p + SHINGLE_SIZE <= s.length; p++) out.add(s.slice(p, p + SHINGLE_SIZE));
  return out;
}

/** Exact Jaccard similarity of two skeletons' shingle sets (for tests and benchmarks). */
export function shingleJaccard(a: string, b: string): number {
  const sa = shingles(a);
  const sb = shingles(b);
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  return inter / (sa.size + sb.size - inter);
}

/** Little-endian bytes of a MinHash signature (512 bytes), for the wire and the database. */
export function minhashToBytes(minhash: Uint32Array): Uint8Array {
  const out = new Uint8Array(minhash.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < minhash.length; i++) view.setUint32(i * 4, minhash[i]!, true);
  return out;
}

/** Inverse of minhashToBytes; rejects anything that is not exactly MINHASH_SIZE values. */
export function minhashFromBytes(bytes: Uint8Array): Uint32Array {
  if (bytes.length !== MINHASH_SIZE * 4) throw invalidInput('minhash', `expected ${MINHASH_SIZE * 4} bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Uint32Array(MINHASH_SIZE);
  for (let i = 0; i < MINHASH_SIZE; i++) out[i] = view.getUint32(i * 4, true);
  return out;
}
