import type { IdentifierKind } from '../suspect.js';
import { normalizeApiKey } from './api-key.js';
import { normalizeAsn } from './asn.js';
import { normalizeDevice } from './device.js';
import { normalizeEmail } from './email.js';
import { normalizeIp } from './ip.js';
import { normalizeOrgDomain } from './org-domain.js';
import { normalizePayment } from './payment.js';
import { normalizePhone, type PhoneOptions } from './phone.js';
import { fail, type NormalizeResult } from './types.js';

export type { NormalizedIdentifier, NormalizeResult, TokenKindName } from './types.js';
export type { PhoneOptions } from './phone.js';
export {
  normalizeApiKey,
  normalizeAsn,
  normalizeDevice,
  normalizeEmail,
  normalizeIp,
  normalizeOrgDomain,
  normalizePayment,
  normalizePhone,
};

/** Options for kinds that need context; currently only phone's default region. */
export type NormalizeOptions = PhoneOptions;

/**
 * Canonical form(s) of one raw identifier, ready for the keyed PRF; or a
 * short reason (which never contains the raw value) why it cannot be shared.
 * Pure: no I/O, no state.
 */
export function normalizeIdentifier(kind: IdentifierKind, raw: string, options?: NormalizeOptions): NormalizeResult {
  // Rows come from JSON; guard the type rather than throw on a stray number.
  if (typeof raw !== 'string') return fail('identifier is not a string');
  switch (kind) {
    case 'email':
      return normalizeEmail(raw);
    case 'phone':
      return normalizePhone(raw, options);
    case 'ip':
      return normalizeIp(raw);
    case 'asn':
      return normalizeAsn(raw);
    case 'payment':
      return normalizePayment(raw);
    case 'device':
      return normalizeDevice(raw);
    case 'org_domain':
      return normalizeOrgDomain(raw);
    case 'api_key':
      return normalizeApiKey(raw);
    default: {
      const unknown: never = kind;
      void unknown;
      return fail('identifier kind is not supported');
    }
  }
}
