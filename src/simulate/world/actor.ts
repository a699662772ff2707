import type { PromptSource } from '../content/benign.js';
import type { Rng } from '../prng.js';
import type { Schedule } from '../timing/schedule.js';
import type { Origin } from './network.js';

/** Where a request comes from; called once per request, so proxies can rotate. */
export type OriginSource = (rng: Rng) => Origin;

export interface Identity {
  readonly email: string;
  readonly phone: string;
  readonly payments: readonly string[];
  readonly devices: readonly string[];
  readonly keys: readonly string[];
  readonly origin: OriginSource;
}

/** Which model an actor calls at a given time. */
export interface ModelChoice {
  /** Share of requests to the reasoning model rather than the chat model. */
  readonly reasoning: number;
  /** Share of requests moving to the newly released model once it exists. */
  readonly adoptNew: number;
}

/** One simulated account: who it is, when it calls, what it asks. */
export interface Actor {
  readonly account: string;
  readonly label: string;
  readonly created: number;
  readonly rng: Rng;
  readonly schedule: Schedule;
  readonly prompts: PromptSource;
  readonly identity: Identity;
  readonly models: ModelChoice;
}

/** Proxy-like origin that keeps an exit for a while, then moves: `stickiness` is the chance to keep it. */
export function rotating(pick: (rng: Rng) => Origin, stickiness: number): OriginSource {
  let current: Origin | undefined;
  return (rng) => {
    if (!current || !rng.chance(stickiness)) current = pick(rng);
    return current;
  };
}
