/** A link's members as the planners see them. */
export interface Member { provider: string; record: string; publishedMs: number }

/**
 * When a link formed: when its second record was published (the signed
 * batch times of its members, so every node dates it alike whatever order
 * the batches reached it in). A link with fewer than two members has not formed.
 */
export function formedAt(members: readonly Member[]): number | undefined {
  if (members.length < 2) return undefined;
  const times = members.map((m) => m.publishedMs).sort((a, b) => a - b);
  return times[1];
}

/** Distinct providers of a link's members, sorted. */
export function providersOf(members: readonly Member[]): string[] {
  return [...new Set(members.map((m) => m.provider))].sort();
}
