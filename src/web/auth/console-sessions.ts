import { createHash, randomBytes } from 'node:crypto';

/**
 * Console sessions: what the session cookie carries instead of the console
 * token. Opening the console with its token (`/console/?token=…`) starts one;
 * the cookie then holds a random session id that expires, so a cookie lifted
 * from a browser profile or a proxy log is worth one working day of reading,
 * not the token itself (which would open the console until it is rotated).
 * Sessions live in the node's memory only: a restart ends every one (open
 * the console with the token again).
 */
/** A working day: the console is opened once in the morning, and a stolen cookie is useless by the next. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/**
 * Sessions held at once. Only a holder of the console token can start one,
 * so this bounds memory against a script looping over `?token=`, not against
 * strangers; when full, the oldest session ends first.
 */
export const MAX_SESSIONS = 1_000;
/** 256 bits, as the token: not guessable online however many requests are made. */
const SESSION_ID_BYTES = 32;

/** Held by the id's hash: lookups never compare the secret itself, and memory never holds a usable cookie. */
const keyOf = (id: string): string => createHash('sha256').update(id, 'utf8').digest('base64url');

export class ConsoleSessions {
  /** Hash of the id → expiry (ms since the epoch), in the order the sessions started. */
  private readonly expiries = new Map<string, number>();
  readonly ttlMs: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(opts: { ttlMs?: number; max?: number; now?: () => number } = {}) {
    this.ttlMs = opts.ttlMs ?? SESSION_TTL_MS;
    this.max = opts.max ?? MAX_SESSIONS;
    this.now = opts.now ?? Date.now;
  }

  /** Starts a session; returns its id (the cookie's value). */
  open(): string {
    this.prune();
    while (this.expiries.size >= this.max) this.expiries.delete(this.expiries.keys().next().value!);
    const id = randomBytes(SESSION_ID_BYTES).toString('base64url');
    this.expiries.set(keyOf(id), this.now() + this.ttlMs);
    return id;
  }

  /** Whether `id` is a session that has not expired (an expired one is forgotten). */
  valid(id: string | undefined): boolean {
    if (!id) return false;
    const key = keyOf(id);
    const expiry = this.expiries.get(key);
    if (expiry === undefined) return false;
    if (expiry > this.now()) return true;
    this.expiries.delete(key);
    return false;
  }

  get size(): number {
    return this.expiries.size;
  }

  private prune(): void {
    const now = this.now();
    for (const [key, expiry] of this.expiries) if (expiry <= now) this.expiries.delete(key);
  }
}
