/**
 * When in the day and week an actor is active. A calendar maps a fraction
 * u ∈ [0, 1) of an actor's activity window to a point in time, monotonically,
 * weighting hours by how active the actor is then. Mapping sorted fractions
 * gives sorted times, so schedules can be produced lazily, in order, without
 * storing them.
 */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export interface Calendar {
  /** Relative activity per UTC hour of day (already shifted for the actor's time zone). */
  readonly hours: Float64Array;
  /** Cumulative of `hours`, length 25. */
  readonly cumulative: Float64Array;
  /** Activity multiplier on Saturdays and Sundays. */
  readonly weekend: number;
}

/** Local-time profiles; index = local hour. */
export const PROFILES = {
  /** People at home: quiet at night, busiest in the evening. */
  human: [0.15, 0.08, 0.05, 0.04, 0.04, 0.08, 0.2, 0.45, 0.7, 0.85, 0.9, 0.95, 1, 0.95, 0.9, 0.9, 0.95, 1, 1.1, 1.25, 1.3, 1.2, 0.9, 0.45],
  /** Office hours. */
  work: [0.02, 0.02, 0.02, 0.02, 0.02, 0.03, 0.08, 0.3, 0.8, 1, 1, 1, 0.8, 1, 1, 1, 0.95, 0.7, 0.35, 0.2, 0.15, 0.12, 0.08, 0.04],
  /** Automated traffic that runs around the clock. */
  flat: new Array<number>(24).fill(1),
  /** A product with its own users: follows their day, never stops. */
  service: [0.35, 0.28, 0.24, 0.22, 0.24, 0.3, 0.45, 0.65, 0.85, 0.95, 1, 1, 1, 1, 1, 1, 0.98, 0.95, 0.95, 0.92, 0.85, 0.7, 0.55, 0.42],
} as const;

export type ProfileName = keyof typeof PROFILES;

const cache = new Map<string, Calendar>();

/** A calendar for a local profile in a time zone (hours east of UTC). Shared, since there are few. */
export function calendar(profile: ProfileName, tzHours: number, weekend: number): Calendar {
  const key = `${profile}/${tzHours}/${weekend}`;
  let cal = cache.get(key);
  if (!cal) {
    const local = PROFILES[profile];
    const hours = new Float64Array(24);
    for (let h = 0; h < 24; h++) hours[h] = local[(((h + tzHours) % 24) + 24) % 24] as number;
    const cumulative = new Float64Array(25);
    for (let h = 0; h < 24; h++) cumulative[h + 1] = (cumulative[h] as number) + (hours[h] as number);
    cal = { hours, cumulative, weekend };
    cache.set(key, cal);
  }
  return cal;
}

/**
 * Maps u ∈ [0,1) to a time in the whole days [firstDay, endDay) counted from
 * `origin` (a Monday 00:00 UTC), weighted by the calendar.
 */
export function mapToTime(cal: Calendar, origin: number, firstDay: number, endDay: number, u: number): number {
  const dayTotal = cal.cumulative[24] as number;
  let total = 0;
  for (let d = firstDay; d < endDay; d++) total += dayTotal * dayFactor(cal, d);
  let x = u * total;
  for (let d = firstDay; d < endDay; d++) {
    const w = dayTotal * dayFactor(cal, d);
    if (x < w || d === endDay - 1) {
      const f = dayFactor(cal, d);
      for (let h = 0; h < 24; h++) {
        const hw = (cal.hours[h] as number) * f;
        if (x < hw || h === 23) return origin + d * DAY_MS + h * HOUR_MS + Math.min(0.999999, x / hw) * HOUR_MS;
        x -= hw;
      }
    }
    x -= w;
  }
  return origin + (endDay - 1) * DAY_MS;
}

function dayFactor(cal: Calendar, day: number): number {
  const weekday = ((day % 7) + 7) % 7; // origin is a Monday
  return weekday >= 5 ? cal.weekend : 1;
}
