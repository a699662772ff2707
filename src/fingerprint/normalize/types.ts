/**
 * Result types shared by the per-kind normalizers.
 *
 * A normalizer is a pure function from a raw identifier (as the provider's
 * tooling wrote it) to the canonical string(s) fed to the keyed PRF. Two
 * providers holding the same identifier in different surface forms must get
 * the same canonical string, so every rule here is part of the wire contract:
 * changing one changes tokens, and needs a new epoch.
 */

/**
 * Token kinds. One more than the identifier kinds: an IP address yields an
 * exact-address token (`ip`) and a network-prefix token (`ip_prefix`).
 */
export type TokenKindName =
  | 'email'
  | 'phone'
  | 'ip'
  | 'ip_prefix'
  | 'asn'
  | 'payment'
  | 'device'
  | 'org_domain'
  | 'api_key';

export interface NormalizedIdentifier {
  kind: TokenKindName;
  /** The canonical string that will be fed to the keyed PRF. Never log it. */
  value: string;
}

/**
 * `reason` is a short fixed phrase. It never contains the raw value (reasons
 * are logged and counted; raw identifiers must never be).
 */
export type NormalizeResult = { ok: true; values: NormalizedIdentifier[] } | { ok: false; reason: string };

export function ok(kind: TokenKindName, value: string): NormalizeResult {
  return { ok: true, values: [{ kind, value }] };
}

export function fail(reason: string): NormalizeResult {
  return { ok: false, reason };
}
