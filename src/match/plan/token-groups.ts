import { recordKey } from '../ids.js';
import type { Member } from './link-shape.js';

/** One (record, token) pair: of the batch being matched, or already held. */
export interface TokenOf { epoch: number; kind: number; token: Uint8Array; member: Member }

/** Every record holding one token (epoch, kind, value), split into those already held and those just published. */
export interface TokenGroup {
  epoch: number;
  kind: number;
  token: Uint8Array;
  held: Member[];
  incoming: Member[];
}

/** Map key of a token within an epoch: latin1 keeps it one cheap string per token. */
export const tokenKey = (epoch: number, kind: number, token: Uint8Array) => `${epoch}:${kind}:${Buffer.from(token.buffer, token.byteOffset, token.byteLength).toString('latin1')}`;

/**
 * Groups a batch's tokens with the held tokens found for them and returns
 * the groups that now link ≥ 2 distinct records. Pure. Tokens are compared
 * whole, with epoch and kind: tokens of different epochs never match.
 */
export function groupTokens(incoming: readonly TokenOf[], held: readonly TokenOf[]): TokenGroup[] {
  const groups = new Map<string, TokenGroup>();
  for (const t of incoming) {
    const key = tokenKey(t.epoch, t.kind, t.token);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { epoch: t.epoch, kind: t.kind, token: t.token, held: [], incoming: [] }));
    if (!g.incoming.some((m) => m.provider === t.member.provider && m.record === t.member.record)) g.incoming.push(t.member);
  }
  for (const h of held) {
    const g = groups.get(tokenKey(h.epoch, h.kind, h.token));
    if (g) g.held.push(h.member);
  }
  const out: TokenGroup[] = [];
  for (const g of groups.values()) {
    // A republished record is both held and incoming: count it once.
    const incomingKeys = new Set(g.incoming.map((m) => recordKey(m.provider, m.record)));
    g.held = g.held.filter((m) => !incomingKeys.has(recordKey(m.provider, m.record)));
    if (g.held.length + g.incoming.length >= 2) out.push(g);
  }
  return out;
}
