/**
 * Wakes alert streams when their recipient has new alerts. In-process only:
 * the alerts themselves are read from the database, so a stream that misses
 * a wake-up (or one from another process) still finds them on its next poll.
 */
export class AlertHub {
  readonly #waiting = new Map<string, Set<() => void>>();

  publish(recipients: Iterable<string>): void {
    for (const r of recipients) {
      const waiters = this.#waiting.get(r);
      if (!waiters) continue;
      this.#waiting.delete(r);
      for (const wake of waiters) wake();
    }
  }

  /** Resolves on new alerts for `recipient`, on abort, or after `timeoutMs`, whichever comes first. */
  wait(recipient: string, signal: AbortSignal, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.#waiting.get(recipient);
      if (!set) this.#waiting.set(recipient, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#waiting.get(recipient)?.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done);
      set.add(done);
    });
  }
}
