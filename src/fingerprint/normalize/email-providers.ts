/**
 * Mailbox providers whose address aliasing we undo, so that every spelling
 * that reaches one mailbox yields one token. A rule is only listed when the
 * provider documents (or demonstrably applies) it for every account on the
 * domain; a wrong rule merges different people, a missing rule only misses a
 * match. Unknown domains therefore keep their local part as written: many
 * custom domains support +tags, but on some '+' is an ordinary character, and
 * we cannot tell which.
 *
 * Built once at module load; lookups are one Map.get per email.
 */
export interface ProviderRule {
  /** The domain all of this provider's equivalent domains map to. */
  readonly canonicalDomain: string;
  /** Everything from the first occurrence of this character on is a tag the provider ignores. */
  readonly tagSeparator: string | null;
  /** Characters the provider ignores anywhere in the local part. */
  readonly ignoredChars: string;
  /** `ignoredChars` as an ASCII lookup table, built once. */
  readonly ignored: Uint8Array;
}

function rule(canonicalDomain: string, tagSeparator: string | null, ignoredChars: string): ProviderRule {
  const ignored = new Uint8Array(128);
  for (const ch of ignoredChars) ignored[ch.charCodeAt(0)] = 1;
  return { canonicalDomain, tagSeparator, ignoredChars, ignored };
}

// Gmail ignores dots in the username and delivers user+anything to user.
// googlemail.com is the same mailbox namespace (the name Gmail used in
// Germany and the UK), so both map to gmail.com.
const GMAIL = rule('gmail.com', '+', '.');

// Proton Mail: every account owns its username on proton.me,
// protonmail.com, protonmail.ch and pm.me (one namespace); '.', '_' and '-'
// are "transparent" in usernames (user.name = username = user_name); and
// user+anything is delivered to user.
const PROTON = rule('proton.me', '+', '._-');

// Apple: an @me.com or @mac.com account also owns the same name at
// icloud.com, and no one else can hold it, so the three map to icloud.com.
// iCloud Mail delivers user+anything to user.
const ICLOUD = rule('icloud.com', '+', '');

/** Plus-addressing only, same domain: dots and hyphens are significant there. */
function plusOnly(domain: string): ProviderRule {
  return rule(domain, '+', '');
}

export const PROVIDER_RULES: ReadonlyMap<string, ProviderRule> = new Map<string, ProviderRule>([
  ['gmail.com', GMAIL],
  ['googlemail.com', GMAIL],
  // Outlook.com (Microsoft consumer mail) supports user+tag on all its
  // consumer domains. outlook.com, hotmail.com, live.com and msn.com are
  // separate namespaces (a@hotmail.com and a@outlook.com can be different
  // people), so each keeps its own domain.
  ['outlook.com', plusOnly('outlook.com')],
  ['hotmail.com', plusOnly('hotmail.com')],
  ['live.com', plusOnly('live.com')],
  ['msn.com', plusOnly('msn.com')],
  // Yahoo "disposable addresses" are base-keyword@yahoo.com, where base is a
  // nickname fixed per account; Yahoo usernames cannot contain '-', so what
  // precedes the first '-' identifies the account.
  ['yahoo.com', rule('yahoo.com', '-', '')],
  ['icloud.com', ICLOUD],
  ['me.com', ICLOUD],
  ['mac.com', ICLOUD],
  // Fastmail delivers user+anything to user. Its many domains are not
  // documented as one namespace, so each keeps its own.
  ['fastmail.com', plusOnly('fastmail.com')],
  ['fastmail.fm', plusOnly('fastmail.fm')],
  ['proton.me', PROTON],
  ['protonmail.com', PROTON],
  ['protonmail.ch', PROTON],
  ['pm.me', PROTON],
]);

/**
 * Applies a provider's rule to an already lower-cased local part. May return
 * '' (e.g. "+tag@gmail.com"); the caller rejects that.
 */
export function applyProviderRule(local: string, r: ProviderRule): string {
  let end = local.length;
  if (r.tagSeparator !== null) {
    const cut = local.indexOf(r.tagSeparator);
    if (cut >= 0) end = cut;
  }
  if (r.ignoredChars.length === 0) return end === local.length ? local : local.slice(0, end);
  // Copy the runs between ignored characters; a hand loop, since
  // String.prototype.replaceAll costs several times more on this hot path.
  let out = '';
  let runStart = 0;
  const ignored = r.ignored;
  for (let i = 0; i < end; i++) {
    if (ignored[local.charCodeAt(i)] === 1) {
      if (i > runStart) out += local.slice(runStart, i);
      runStart = i + 1;
    }
  }
  if (runStart === 0 && end === local.length) return local;
  if (end > runStart) out += local.slice(runStart, end);
  return out;
}
