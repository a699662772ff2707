/**
 * The CPU-heavy half of PSI, behind one interface so the protocol neither
 * knows nor cares whether it runs on this thread or on worker threads. An
 * engine holds one party's blinding key for one session.
 */
export interface PsiEngine {
  /** How many calls a caller should keep in flight to keep the engine busy. */
  readonly parallelism: number;
  /**
   * hash_to_curve then blind, for each element in the given order: 32-byte
   * u-coordinates, back to back. The elements are this party's own.
   */
  blindElements(elements: readonly string[], dst: Uint8Array): Promise<Uint8Array>;
  /**
   * Blinds the peer's 32-byte points (refusing malformed and small-order ones
   * with INVALID_INPUT naming `where`), keeping `width` bytes of each result.
   */
  reblind(points: Uint8Array, width: number, where: string): Promise<Uint8Array>;
  /** Releases threads; pending work is rejected. */
  close(): Promise<void>;
}
