import { createHash } from 'node:crypto';
import { CordonError } from '../../../errors.js';

/**
 * expand_message_xmd with SHA-512 (RFC 9380 §5.3.1), specialised for one DST
 * and one output length so the constant parts are built once: Z_pad, the
 * length and DST_prime are fixed per expander, only msg changes.
 */
const B_IN_BYTES = 64;
const S_IN_BYTES = 128;
const MAX_DST_BYTES = 255;
const Z_PAD = new Uint8Array(S_IN_BYTES);

export class ExpandMessageXmd {
  private readonly dstPrime: Buffer;
  private readonly lengthTail: Buffer;
  private readonly blocks: number;

  constructor(dst: Uint8Array, readonly lenInBytes: number) {
    if (dst.length > MAX_DST_BYTES) throw new CordonError('INVALID_INPUT', `expand_message_xmd: DST is ${dst.length} bytes, at most ${MAX_DST_BYTES}`);
    this.blocks = Math.ceil(lenInBytes / B_IN_BYTES);
    if (lenInBytes < 1 || this.blocks > 255) throw new CordonError('INVALID_INPUT', `expand_message_xmd: cannot produce ${lenInBytes} bytes`);
    this.dstPrime = Buffer.concat([dst, Uint8Array.of(dst.length)]);
    this.lengthTail = Buffer.from([lenInBytes >> 8, lenInBytes & 0xff, 0]);
  }

  expand(msg: Uint8Array): Buffer {
    const b0 = createHash('sha512').update(Z_PAD).update(msg).update(this.lengthTail).update(this.dstPrime).digest();
    const out = Buffer.allocUnsafe(this.blocks * B_IN_BYTES);
    let previous = createHash('sha512').update(b0).update(ONE).update(this.dstPrime).digest();
    previous.copy(out, 0);
    for (let i = 2; i <= this.blocks; i++) {
      for (let j = 0; j < B_IN_BYTES; j++) previous[j]! ^= b0[j]!;
      previous = createHash('sha512').update(previous).update(Uint8Array.of(i)).update(this.dstPrime).digest();
      previous.copy(out, (i - 1) * B_IN_BYTES);
    }
    return out.subarray(0, this.lenInBytes);
  }
}

const ONE = Uint8Array.of(1);
