import { mix32 } from './prng.js';

/**
 * Account ids for a provider: `p1-u0382716`. Ids are a seeded pseudorandom
 * permutation of the account index (a small Feistel network over a
 * power-of-two domain, cycle-walked into [0, 10^digits)), so ids reveal
 * neither creation order nor which accounts belong together.
 */
export function accountIds(provider: string, seed: number, capacity: number): () => string {
  let digits = 6;
  while (10 ** digits < capacity * 10) digits++;
  const modulus = 10 ** digits;
  let halfBits = 1;
  while (2 ** (2 * halfBits) < modulus) halfBits++;
  const mask = 2 ** halfBits - 1;
  const permute = (x: number): number => {
    let left = Math.floor(x / 2 ** halfBits);
    let right = x & mask;
    for (let round = 0; round < 4; round++) {
      const f = mix32(right, seed, round) & mask;
      [left, right] = [right, (left ^ f) & mask];
    }
    return left * 2 ** halfBits + right;
  };
  let i = 0;
  return () => {
    let n = permute(i++);
    while (n >= modulus) n = permute(n);
    return `${provider}-u${String(n).padStart(digits, '0')}`;
  };
}
