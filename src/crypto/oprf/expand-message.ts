import { createHash } from 'node:crypto';
import { invalidInput } from '../../errors.js';

/**
 * expand_message_xmd (RFC 9380 §5.3.1) with SHA-512: the uniform bytes under
 * ristretto255-SHA512's HashToGroup and HashToScalar (RFC 9497 §4.1).
 */
const B_IN_BYTES = 64;
/** SHA-512's input block size (s_in_bytes). */
const S_IN_BYTES = 128;
const Z_PAD = new Uint8Array(S_IN_BYTES);
/** RFC 9380 caps the output at 255 blocks, and the DST at 255 bytes. */
const MAX_BLOCKS = 255;
const MAX_DST_BYTES = 255;

const sha512 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
};

export function expandMessageXmd(msg: Uint8Array, dst: Uint8Array, lenInBytes: number): Uint8Array {
  const ell = Math.ceil(lenInBytes / B_IN_BYTES);
  if (!Number.isInteger(lenInBytes) || lenInBytes < 1 || ell > MAX_BLOCKS) throw invalidInput('expand_message_xmd', `cannot produce ${lenInBytes} bytes`);
  if (dst.length > MAX_DST_BYTES) throw invalidInput('expand_message_xmd', `DST is ${dst.length} bytes, at most ${MAX_DST_BYTES}`);
  const dstPrime = Buffer.concat([dst, Uint8Array.of(dst.length)]);
  const b0 = sha512(Z_PAD, msg, Uint8Array.of(lenInBytes >> 8, lenInBytes & 0xff, 0), dstPrime);
  const out = new Uint8Array(ell * B_IN_BYTES);
  let previous = sha512(b0, Uint8Array.of(1), dstPrime);
  out.set(previous, 0);
  for (let i = 2; i <= ell; i++) {
    const mixed = new Uint8Array(B_IN_BYTES);
    for (let j = 0; j < B_IN_BYTES; j++) mixed[j] = b0[j]! ^ previous[j]!;
    previous = sha512(mixed, Uint8Array.of(i), dstPrime);
    out.set(previous, (i - 1) * B_IN_BYTES);
  }
  return out.subarray(0, lenInBytes);
}
