import { CordonError } from '../errors.js';

/** How often the demo re-checks a condition it waits for. */
const POLL_MS = 50;

/** Polls `check` until it returns a value other than undefined/false, or fails after `ms` naming what it waited for. */
export async function waitFor<T>(what: string, ms: number, check: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new CordonError('UNAVAILABLE', `demo: timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
