import type { KeyObject } from 'node:crypto';
import type { Sql } from 'postgres';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { TransparencyLog } from '../transparency-log.js';
import { BatchIntegrator } from './batch-integrator.js';

/**
 * How long a wake-up waits before integrating, so a burst of acceptances (a
 * provider pipelining batches) enters the log in one transaction.
 */
export const WAKE_DELAY_MS = 20;
/**
 * Heads are signed at most this often. The issue asks for a head at least
 * every second while entries arrive; four a second keeps the lag to a
 * quarter second without a signature per transaction under load.
 */
export const HEAD_INTERVAL_MS = 250;
/**
 * Integrate-and-sign runs at least this often even with no wake-up: it picks
 * up batches committed by another process on the same database and entries
 * other modules appended, so every accepted entry is in a signed head within
 * about a second (the bound promised is 10 s).
 */
export const SWEEP_INTERVAL_MS = 1_000;

export interface LogPublisherOptions {
  readonly sql: Sql;
  readonly log: TransparencyLog;
  /** The node's identity key and member id: tree heads are signed with them. */
  readonly key: KeyObject;
  readonly kid: string;
  readonly logger: Logger;
}

/**
 * A consortium node's log writer loop: integrate pending batches
 * (BatchIntegrator), then sign a tree head if the log grew. Runs one cycle at
 * a time; `wake` after an acceptance, a sweep every second, and a full
 * catch-up at start (after a crash, whatever was accepted and not yet logged).
 */
export class LogPublisher {
  readonly #opts: LogPublisherOptions;
  readonly #integrator: BatchIntegrator;
  #timer: NodeJS.Timeout | undefined;
  #sweep: NodeJS.Timeout | undefined;
  /** The last cycle started (cycles run one after another). */
  #tail: Promise<void> = Promise.resolve();
  /** A cycle queued behind the running one: later wake-ups join it. */
  #queued: Promise<void> | undefined;
  #stopped = true;
  #forceSign = false;
  #lastSignedAt = 0;
  #lastError: string | undefined;

  constructor(opts: LogPublisherOptions) {
    this.#opts = opts;
    this.#integrator = new BatchIntegrator(opts.sql, opts.log);
  }

  /** Catches up (logs what was accepted and not yet logged, signs a head), then keeps running. */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.#enqueue();
    this.#sweep = setInterval(() => this.#trigger(0), SWEEP_INTERVAL_MS);
  }

  /** Something was accepted or appended: integrate and sign soon. */
  wake(): void {
    this.#trigger(WAKE_DELAY_MS);
  }

  /** Integrates and signs now, whatever the head interval; resolves when done. */
  flush(): Promise<void> {
    this.#forceSign = true;
    return this.#enqueue();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearInterval(this.#sweep);
    await this.#tail;
  }

  #trigger(delayMs: number): void {
    if (this.#stopped || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#enqueue();
    }, delayMs);
  }

  #enqueue(): Promise<void> {
    this.#queued ??= this.#tail = this.#tail.then(() => {
      this.#queued = undefined;
      return this.#cycle();
    });
    return this.#queued;
  }

  async #cycle(): Promise<void> {
    const { log, key, kid, logger } = this.#opts;
    try {
      const logged = await this.#integrator.integrateAll();
      if (logged > 0) logger.debug('batches logged', { count: logged });
      const [size, head] = await Promise.all([log.size(), log.latestTreeHead()]);
      if (head && head.size >= size) return;
      const wait = this.#lastSignedAt + HEAD_INTERVAL_MS - Date.now();
      if (wait > 0 && !this.#forceSign) return this.#trigger(wait);
      this.#forceSign = false;
      const signed = await log.signTreeHead(key, kid);
      this.#lastSignedAt = Date.now();
      logger.debug('tree head signed', { size: signed.size });
      if (this.#lastError) logger.info('transparency log writer recovered', {});
      this.#lastError = undefined;
    } catch (err) {
      // The next wake-up or sweep retries; nothing is lost (batches stay pending).
      const message = errorMessage(err);
      if (message !== this.#lastError) logger.error('transparency log writer failed', { error: message });
      this.#lastError = message;
    }
  }
}
