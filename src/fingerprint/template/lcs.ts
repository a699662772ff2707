import { PLACEHOLDER } from './skeleton.js';

/**
 * Token-level longest common subsequence, as the template miner uses it to
 * align a prompt's skeleton with a template (in the spirit of Spell: Du & Li,
 * "Spell: Streaming Parsing of System Event Logs", ICDM 2016). Unlike
 * Drain's position-by-position comparison, an LCS alignment survives inserted
 * and deleted words. Pure; inputs are bounded by the miner (MAX_TEMPLATE_TOKENS).
 */

const WILDCARD = PLACEHOLDER.payload;

/** The (n+1) × (m+1) LCS table, row-major. A template's wildcards never match. */
function table(template: readonly string[], seq: readonly string[]): Uint16Array {
  const n = template.length;
  const width = seq.length + 1;
  const dp = new Uint16Array((n + 1) * width);
  for (let i = 1; i <= n; i++) {
    const t = template[i - 1]!;
    const wild = t === WILDCARD;
    const row = i * width;
    const up = row - width;
    for (let j = 1; j < width; j++) {
      dp[row + j] = !wild && t === seq[j - 1] ? dp[up + j - 1]! + 1 : Math.max(dp[up + j]!, dp[row + j - 1]!);
    }
  }
  return dp;
}

/** The LCS length, and for each template position whether the alignment matched it. */
export function alignTokens(template: readonly string[], seq: readonly string[]): { common: number; matched: Uint8Array } {
  const dp = table(template, seq);
  const width = seq.length + 1;
  const matched = new Uint8Array(template.length);
  let i = template.length;
  let j = seq.length;
  while (i > 0 && j > 0) {
    if (template[i - 1] !== WILDCARD && template[i - 1] === seq[j - 1]) {
      // Equal tokens: the diagonal is always an optimal step.
      matched[i - 1] = 1;
      i--;
      j--;
    } else if (dp[(i - 1) * width + j]! >= dp[i * width + j - 1]!) {
      i--;
    } else {
      j--;
    }
  }
  return { common: dp[template.length * width + seq.length]!, matched };
}

/**
 * The tokens kept where `keep` is set; every run of dropped tokens (and any
 * wildcard) becomes one wildcard.
 */
export function collapseDropped(tokens: readonly string[], keep: (index: number) => boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = keep(i) ? tokens[i]! : WILDCARD;
    if (token === WILDCARD && out[out.length - 1] === WILDCARD) continue;
    out.push(token);
  }
  return out;
}
