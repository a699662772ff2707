import type { Rng } from '../prng.js';
import { DAY_MS, mapToTime, type Calendar } from './calendar.js';

/**
 * An actor's request times, produced lazily and in increasing order: a
 * sequence of session starts (from a StartSource), each followed by a run of
 * requests separated by gaps of a given mean and variability.
 */
export interface StartSource {
  /** The next session start (≥ the previous one), or undefined when there are no more. */
  next(rng: Rng): number | undefined;
  /** Sessions still to come, counting the next one. */
  remaining(): number;
}

/**
 * k session starts spread over a window by a calendar. Sorted uniforms are
 * drawn sequentially (each the minimum of the uniforms still to come), which
 * keeps memory constant however many sessions there are.
 */
export function calendarStarts(cal: Calendar, origin: number, firstDay: number, endDay: number, k: number): StartSource {
  let left = k;
  let u = 0;
  return {
    next(rng) {
      if (left <= 0) return undefined;
      u = u + (1 - u) * (1 - Math.pow(1 - rng.next(), 1 / left));
      left--;
      return mapToTime(cal, origin, firstDay, endDay, u);
    },
    remaining: () => left,
  };
}

/**
 * A subset of k times from a shared, sorted list (job schedules, evaluation
 * runs, a campaign's coordinated waves), chosen by selection sampling so the
 * result is sorted too, each shifted by a random jitter of up to `jitterMs`.
 */
export function listStarts(times: readonly number[], k: number, jitterMs: number): StartSource {
  let i = 0;
  let need = Math.min(k, times.length);
  let last = -Infinity;
  return {
    next(rng) {
      while (need > 0 && i < times.length) {
        const left = times.length - i;
        const t = times[i++] as number;
        if (rng.next() * left < need) {
          need--;
          last = Math.max(last, t + rng.next() * jitterMs);
          return last;
        }
      }
      return undefined;
    },
    remaining: () => need,
  };
}

/** Daily run times of a scheduled job: the same hour every day (± a few minutes). */
export function dailyTimes(origin: number, firstDay: number, endDay: number, hourUtc: number, weekdaysOnly: boolean): number[] {
  const out: number[] = [];
  for (let d = firstDay; d < endDay; d++) {
    if (weekdaysOnly && ((d % 7) + 7) % 7 >= 5) continue;
    out.push(origin + d * DAY_MS + hourUtc * 3_600_000);
  }
  return out;
}

export interface ScheduleSpec {
  readonly starts: StartSource;
  /** Total requests; split across sessions as evenly as the spread allows. */
  readonly requests: number;
  /** Mean gap between requests within a session, ms. */
  readonly gapMs: number;
  /** Coefficient of variation of those gaps: ~1 for people, ≪ 1 for scripts. */
  readonly gapCv: number;
  /** How unevenly requests split across sessions (log-normal sigma). */
  readonly sessionSpread: number;
  /** Requests are dropped past this time. */
  readonly endMs: number;
}

/** The lazily-evaluated state of one actor's schedule. */
export class Schedule {
  private left: number;
  private inSessionLeft = 0;
  private t = -Infinity;
  /** Index of the upcoming request within its session. */
  inSession = 0;

  constructor(private readonly spec: ScheduleSpec) {
    this.left = spec.requests;
  }

  /** The next request time, or undefined when the actor is done. */
  next(rng: Rng): number | undefined {
    if (this.left <= 0) return undefined;
    if (this.inSessionLeft <= 0) {
      const start = this.spec.starts.next(rng);
      if (start === undefined) return undefined;
      const sessions = this.spec.starts.remaining() + 1;
      const even = this.left / sessions;
      this.inSessionLeft = sessions <= 1 ? this.left : Math.max(1, Math.min(this.left, Math.round(even * rng.lognormal(1, this.spec.sessionSpread))));
      this.t = Math.max(start, this.t + 1000);
      this.inSession = 0;
    } else {
      this.t += Math.max(200, rng.withCv(this.spec.gapMs, this.spec.gapCv));
      this.inSession++;
    }
    if (this.t >= this.spec.endMs) {
      this.left = 0;
      return undefined;
    }
    this.inSessionLeft--;
    this.left--;
    return this.t;
  }
}

export { DAY_MS };
