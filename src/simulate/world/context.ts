import { Rng } from '../prng.js';
import type { Keys } from './keys.js';

/** What every population builder needs to know about the provider it is populating. */
export interface ProviderWorld {
  readonly name: string;
  readonly index: number;
  /** Start of the simulated period: a Monday, 00:00 UTC. */
  readonly origin: number;
  readonly days: number;
  /** End of the period (exclusive), ms. */
  readonly end: number;
  /** When this provider releases its new model, ms. */
  readonly release: number;
  readonly seed: number;
}

export interface BuildContext {
  readonly world: ProviderWorld;
  /** Entity keys (people, organisations, cards, devices): unique across the scenario. */
  readonly keys: Keys;
  /** Phone keys, separate so the first ones use the fictional 555-01xx numbers. */
  readonly phones: Keys;
  /** Allocates the provider's next account id. */
  newAccount(): string;
}

/**
 * Splits `total` requests over `count` accounts with log-normal weights:
 * heavy-tailed like real usage, at least `min` each, summing to the total
 * (up to rounding).
 */
export function splitVolume(rng: Rng, count: number, total: number, sigma: number, min = 1): number[] {
  if (count <= 0) return [];
  const weights = new Array<number>(count);
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const w = rng.lognormal(1, sigma);
    weights[i] = w;
    sum += w;
  }
  const spare = Math.max(0, total - min * count);
  return weights.map((w) => min + Math.round((w / sum) * spare));
}

/** Linear interpolation, used to turn the stealth level into behaviour. */
export const lerp = (a: number, b: number, t: number): number => a + (b - a) * t;

/** A deterministic generator for one named part of the scenario. */
export function partRng(world: ProviderWorld, part: number, sub = 0): Rng {
  return new Rng(world.seed ^ Math.imul(part + 1, 0x2545f491), world.index * 7919 + sub);
}

/** Random time-zone offset in hours, weighted towards the Americas, Europe and Asia. */
export function timeZone(rng: Rng): number {
  return rng.pick([-8, -7, -6, -5, -5, -4, -3, 0, 0, 1, 1, 1, 2, 3, 5, 8, 8, 9, 10]);
}
