/**
 * The README's walkthrough as scripts: the ```sh block right after each
 * `<!-- walkthrough -->` marker, in order, and the one right after
 * `<!-- walkthrough-end -->` (which stops what the walkthrough started).
 * Only blank lines may stand between a marker and its block, so a marker can
 * never pick up a block further down by accident.
 */
export const WALKTHROUGH_MARKER = '<!-- walkthrough -->';
export const WALKTHROUGH_END_MARKER = '<!-- walkthrough-end -->';

export class WalkthroughFormatError extends Error {}

export interface Walkthrough {
  /** The walkthrough's commands, its blocks joined in README order. */
  readonly script: string;
  /** The commands that stop every node the walkthrough started. */
  readonly stop: string;
}

/** The ```sh block that follows `marker` at `from` (only blank lines between them). */
function blockAfter(readme: string, marker: string, from: number): string {
  const match = /^\s*```sh\n([\s\S]*?)\n```[ \t]*$/m.exec(readme.slice(from + marker.length));
  const gap = match ? readme.slice(from + marker.length, from + marker.length + match.index) : '';
  if (!match || gap.trim() !== '') throw new WalkthroughFormatError(`README: ${marker} must be followed directly by a \`\`\`sh block`);
  return match[1]!;
}

function positions(readme: string, marker: string): number[] {
  const found: number[] = [];
  for (let at = readme.indexOf(marker); at >= 0; at = readme.indexOf(marker, at + marker.length)) found.push(at);
  return found;
}

export function extractWalkthrough(readme: string): Walkthrough {
  const starts = positions(readme, WALKTHROUGH_MARKER);
  const ends = positions(readme, WALKTHROUGH_END_MARKER);
  if (starts.length === 0) throw new WalkthroughFormatError(`README: no ${WALKTHROUGH_MARKER} block`);
  if (ends.length !== 1) throw new WalkthroughFormatError(`README: needs exactly one ${WALKTHROUGH_END_MARKER} block, found ${ends.length}`);
  if (starts.some((s) => s > ends[0]!)) throw new WalkthroughFormatError(`README: every ${WALKTHROUGH_MARKER} block must come before ${WALKTHROUGH_END_MARKER}`);
  return {
    script: starts.map((s) => blockAfter(readme, WALKTHROUGH_MARKER, s)).join('\n'),
    stop: blockAfter(readme, WALKTHROUGH_END_MARKER, ends[0]!),
  };
}

/** Loopback addresses in the walkthrough: its fixed ports, the one thing the test changes. */
const LOOPBACK_PORT = /127\.0\.0\.1:(\d+)/g;

/**
 * Replaces each distinct fixed port of `text` (as in 127.0.0.1:7401) by one
 * `pick` returns, the same everywhere it appears, so a run never collides with
 * another program or test on the shared machine. Returns the text and the map.
 */
export async function withFreePorts(texts: readonly string[], pick: () => Promise<number>): Promise<{ texts: string[]; ports: Map<number, number> }> {
  const ports = new Map<number, number>();
  for (const text of texts) {
    for (const m of text.matchAll(LOOPBACK_PORT)) {
      const fixed = Number(m[1]);
      if (!ports.has(fixed)) ports.set(fixed, await pick());
    }
  }
  return { texts: texts.map((t) => t.replace(LOOPBACK_PORT, (_, p: string) => `127.0.0.1:${ports.get(Number(p))}`)), ports };
}
