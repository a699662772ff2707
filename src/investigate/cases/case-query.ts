import { CordonError } from '../../errors.js';
import { TOKEN_BYTES } from '../../federation/chain/limits.js';
import { BAND_DIGEST_BYTES, LSH_BANDS, MINHASH_SIZE } from '../../crypto/minhash.js';
import { lookupKey } from '../../match/ids.js';

/**
 * What a case asks about, checked before anything is counted or stored:
 * tokens of one epoch and/or template signatures. A case is a targeted
 * question about a campaign, not a bulk lookup: bulk comparison is PSI.
 */
export const MAX_CASE_TOKENS = 256;
export const MAX_CASE_TEMPLATES = 16;
const MAX_EPOCH = 0xffff_ffff;
const TOKEN_KINDS = { min: 1, max: 9 };

export interface CaseQuery {
  readonly epoch: number;
  readonly tokens: readonly { kind: number; token: Uint8Array }[];
  readonly templates: readonly { bkeys: bigint[]; minhash: Uint32Array }[];
}

export interface CaseQueryInput {
  epoch: number;
  tokens: readonly { kind: number; value: Uint8Array }[];
  templates: readonly { bands: Uint8Array[]; minhash: number[] }[];
}

export function parseCaseQuery(req: CaseQueryInput, where: string): CaseQuery {
  const bad = (what: string) => new CordonError('INVALID_INPUT', `${where}: ${what}`);
  if (req.epoch < 1 || req.epoch > MAX_EPOCH) throw bad(`epoch must be 1..${MAX_EPOCH}, got ${req.epoch}`);
  if (req.tokens.length + req.templates.length === 0) throw bad('needs at least one token or template signature');
  if (req.tokens.length > MAX_CASE_TOKENS) throw bad(`at most ${MAX_CASE_TOKENS} tokens per case, got ${req.tokens.length}`);
  if (req.templates.length > MAX_CASE_TEMPLATES) throw bad(`at most ${MAX_CASE_TEMPLATES} template signatures per case, got ${req.templates.length}`);
  const tokens = req.tokens.map((t, i) => {
    if (t.kind < TOKEN_KINDS.min || t.kind > TOKEN_KINDS.max) throw bad(`token ${i}: unknown kind ${t.kind}`);
    if (t.value.length !== TOKEN_BYTES) throw bad(`token ${i}: must be ${TOKEN_BYTES} bytes, got ${t.value.length}`);
    return { kind: t.kind, token: t.value };
  });
  const templates = req.templates.map((t, i) => {
    if (t.minhash.length !== MINHASH_SIZE) throw bad(`template ${i}: needs ${MINHASH_SIZE} MinHash values, got ${t.minhash.length}`);
    if (t.bands.length !== LSH_BANDS || t.bands.some((b) => b.length !== BAND_DIGEST_BYTES)) throw bad(`template ${i}: needs ${LSH_BANDS} band digests of ${BAND_DIGEST_BYTES} bytes`);
    return { bkeys: t.bands.map((b) => lookupKey(b)), minhash: Uint32Array.from(t.minhash) };
  });
  return { epoch: req.epoch, tokens, templates };
}

/** What a query costs against the daily budget: one per token, one per template signature. */
export function queryCost(q: CaseQuery): number {
  return q.tokens.length + q.templates.length;
}
