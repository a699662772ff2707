import { TokenKind } from '../../gen/cordon/v1/common_pb.js';
import { CordonError } from '../../errors.js';

/**
 * An indicator as every regulator view and export carries it: a keyed PRF
 * token of one identifier (DESIGN.md §4), with its kind and epoch. Only
 * consortium members holding the epoch key can compute a matching token, so
 * a token reveals nothing to whoever reads an export.
 */
export interface IndicatorToken {
  kind: TokenKindName;
  /** 64 lowercase hex characters (32 bytes). */
  token_hex: string;
  epoch: number;
}

/** Token kinds by name, in the order of cordon.v1.TokenKind. */
export const TOKEN_KINDS = ['email', 'phone', 'ip', 'ip_prefix', 'asn', 'payment', 'device', 'org_domain', 'api_key'] as const;
export type TokenKindName = (typeof TOKEN_KINDS)[number];

const KIND_CODES: Readonly<Record<TokenKindName, TokenKind>> = {
  email: TokenKind.EMAIL, phone: TokenKind.PHONE, ip: TokenKind.IP, ip_prefix: TokenKind.IP_PREFIX, asn: TokenKind.ASN,
  payment: TokenKind.PAYMENT, device: TokenKind.DEVICE, org_domain: TokenKind.ORG_DOMAIN, api_key: TokenKind.API_KEY,
};

export function tokenKindCode(name: TokenKindName): TokenKind {
  return KIND_CODES[name];
}

/** The name of a wire token kind; undefined for UNSPECIFIED or a code this build does not know. */
export function tokenKindName(code: TokenKind): TokenKindName | undefined {
  return TOKEN_KINDS.find((n) => KIND_CODES[n] === code);
}

export const TOKEN_HEX = /^[0-9a-fA-F]{64}$/;
/** Epochs are uint32 on the wire. */
export const MAX_EPOCH = 0xffff_ffff;

/**
 * Checks one indicator and returns it with the token in lowercase. Errors name
 * `where` and the field (`tokenField`: what the caller's format calls the token).
 */
export function checkIndicator(v: IndicatorToken, where: string, tokenField = 'token_hex'): IndicatorToken {
  const bad = (field: string, what: string) => new CordonError('INVALID_INPUT', `${where}.${field}: ${what}`);
  if (typeof v !== 'object' || v === null) throw new CordonError('INVALID_INPUT', `${where}: must be an object`);
  if (!(TOKEN_KINDS as readonly string[]).includes(v.kind)) {
    throw bad('kind', `unknown kind ${JSON.stringify(v.kind)} (expected one of ${TOKEN_KINDS.join(', ')})`);
  }
  if (typeof v.token_hex !== 'string' || !TOKEN_HEX.test(v.token_hex)) {
    // Never echo the value: something that is not a token may be a raw identifier.
    const got = typeof v.token_hex === 'string' ? `${v.token_hex.length} characters${/^[0-9a-fA-F]*$/.test(v.token_hex) ? '' : ' with non-hex ones'}` : typeof v.token_hex;
    throw bad(tokenField, `must be exactly 64 hex characters (a keyed token), got ${got}`);
  }
  if (typeof v.epoch !== 'number' || !Number.isSafeInteger(v.epoch) || v.epoch < 0 || v.epoch > MAX_EPOCH) {
    throw bad('epoch', `must be an integer in [0, ${MAX_EPOCH}], got ${JSON.stringify(v.epoch)}`);
  }
  return { kind: v.kind, token_hex: v.token_hex.toLowerCase(), epoch: v.epoch };
}
