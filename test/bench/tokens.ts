import { createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { SharedKeyPrf } from '../../src/crypto/prf/shared-key-prf.js';
import { normalizeIdentifier, type NormalizedIdentifier, type TokenKindName } from '../../src/fingerprint/normalize/index.js';
import type { IdentifierKind } from '../../src/fingerprint/suspect.js';
import { seededRandom } from '../support/seeded-random.js';

/**
 * tokens: identifier tokens, shared-key mode.
 *
 *   node --import tsx test/bench/tokens.ts [--quick]
 *
 * Generates 1,000,000 realistic mixed raw identifiers (seeded), normalizes
 * them once, then times, over the same normalized inputs:
 *   - tokens: SharedKeyPrf.tokenize (domain-separated encoding + HMAC-SHA256
 *     under the epoch key, on its default one-shot path);
 *   - hmac: bare node:crypto `createHmac('sha256', key).update(value).digest()`
 *     with the key as a KeyObject (the faster baseline, and the one the ratio
 *     uses) and, informatively, as a Buffer.
 * Informative too: tokenize on its createHmac-object path (the design not
 * taken), and the full path from raw (normalize + tokenize).
 * Five rounds each (each a full pass, interleaved chunk by chunk: see CHUNK);
 * medians. `ratio_to_hmac` is the median of the five rounds' paired ratios
 * (tokens over hmac within one round), which is steadier than a ratio of
 * medians taken from different rounds. Prints JSON progress lines, then one
 * flat summary object last.
 */

const quick = process.argv.includes('--quick');
const IDENTIFIERS = quick ? 100_000 : 1_000_000;
const ROUNDS = 5;
const EPOCH = 1;

const started = performance.now();
const elapsed = (): number => Math.round((performance.now() - started) / 100) / 10;
const progress = (fields: Record<string, unknown>): void => console.log(JSON.stringify({ bench: 'tokens', elapsed_s: elapsed(), ...fields }));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------- generator

const rng = seededRandom;
const random = rng(20240601);
const int = (n: number): number => Math.floor(random() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
const chars = (alphabet: string, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[int(alphabet.length)];
  return s;
};
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const HEX = '0123456789abcdef';
const BASE62 = LOWER + LOWER.toUpperCase() + DIGITS;
const maybeUpper = (s: string): string => (random() < 0.15 ? s.toUpperCase() : random() < 0.2 ? s[0]!.toUpperCase() + s.slice(1) : s);
const pad = (s: string): string => (random() < 0.05 ? ` ${s} ` : s);

const FIRST = ['john', 'maria', 'wei', 'aisha', 'li', 'olga', 'carlos', 'fatima', 'james', 'yuki', 'noah', 'emma', 'arjun', 'sofia', 'ivan', 'chen', 'amir', 'lucia'];
const LAST = ['smith', 'garcia', 'wang', 'khan', 'ivanova', 'silva', 'nguyen', 'mueller', 'kim', 'tanaka', 'rossi', 'dubois', 'patel', 'cohen', 'ali', 'jones'];
const FREEMAIL = ['gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'yahoo.com', 'icloud.com', 'proton.me', 'mail.ru', 'qq.com', 'gmx.de', 'fastmail.com'];
const COMPANY = ['acme-ai.com', 'datasift.io', 'northwind.co.uk', 'globex.de', 'initech.com', 'umbrella.co.jp', 'hooli.xyz', 'stark.industries', 'wayne-labs.net', 'tyrell.ai'];
const TAGS = ['promo', 'ml', 'train', 'x1', 'bulk', 'api', 'test'];

function email(): string {
  const first = pick(FIRST);
  const last = pick(LAST);
  const n = int(3) === 0 ? String(int(10_000)) : '';
  const r = random();
  let local: string;
  let domain: string;
  if (r < 0.45) {
    // Gmail: dots and +tags are ignored by the provider.
    domain = random() < 0.85 ? 'gmail.com' : 'googlemail.com';
    local = random() < 0.5 ? `${first}.${last}${n}` : `${first}${last}${n}`;
    if (random() < 0.3) local += `+${pick(TAGS)}${int(100)}`;
  } else if (r < 0.8) {
    domain = pick(FREEMAIL);
    local = `${first}${pick(['.', '_', ''])}${last}${n}`;
    if (random() < 0.1) local += `+${pick(TAGS)}`;
  } else {
    domain = pick(COMPANY);
    local = random() < 0.5 ? `${first}.${last}` : `${first[0]}${last}${n}`;
  }
  return pad(maybeUpper(`${local}@${domain}`));
}

/** Public /8s (no private, loopback, CGNAT, documentation or multicast space). */
const PUBLIC_V4 = [3, 13, 18, 23, 34, 35, 44, 45, 52, 54, 62, 66, 72, 77, 81, 89, 91, 104, 109, 151, 176, 185, 188, 212, 213, 217];
const V6_PREFIXES = ['2a01:4f8', '2600:1f18', '2a00:1450', '2604:a880', '2400:cb00', '2a03:2880', '2001:470', '2c0f:f248', '2406:da00'];

function ip(): string {
  if (random() < 0.78) return pad(`${pick(PUBLIC_V4)}.${int(256)}.${int(256)}.${1 + int(254)}`);
  const h = () => int(0x10000).toString(16);
  const prefix = pick(V6_PREFIXES);
  const r = random();
  const s = r < 0.5 ? `${prefix}:${h()}::${h()}` : r < 0.85 ? `${prefix}:${h()}:${h()}:${h()}:${h()}:${h()}:${h()}` : `${prefix}:${h()}:0:0:0:0:${h()}`;
  return random() < 0.1 ? s.toUpperCase() : s;
}

const ASNS = [13335, 15169, 16509, 8075, 14061, 24940, 16276, 396982, 209242, 9009, 20473, 63949, 45102, 4134, 4837, 3320, 7922, 701, 12389, 58224];
function asn(): string {
  const n = random() < 0.8 ? pick(ASNS) : 1000 + int(60_000);
  return pick([`AS${n}`, `as${n}`, String(n), `ASN ${n}`]);
}

function payment(): string {
  return random() < 0.7 ? chars(BASE62, 16) : `fp_${chars(BASE62, 24)}`;
}

function device(): string {
  const r = random();
  if (r < 0.6) {
    const u = `${chars(HEX, 8)}-${chars(HEX, 4)}-4${chars(HEX, 3)}-${pick(['8', '9', 'a', 'b'])}${chars(HEX, 3)}-${chars(HEX, 12)}`;
    return random() < 0.4 ? u.toUpperCase() : random() < 0.05 ? `{${u}}` : u;
  }
  if (r < 0.85) return chars(HEX, 16); // ANDROID_ID
  return `dev_${chars(BASE62, 22)}`;
}

const SUBDOMAINS = ['', 'www.', 'mail.', 'api.', 'eu.', 'app.', 'm.'];
function orgDomain(): string {
  return pad(maybeUpper(`${pick(SUBDOMAINS)}${pick(COMPANY)}`));
}

function apiKey(): string {
  return pick([`sk-proj-${chars(BASE62, 48)}`, `sk-${chars(BASE62, 40)}`, `key_${chars(BASE62, 32)}`]);
}

/** Valid numbers in a few regions and surface forms (numbers the phone library accepts as valid for their region). */
function phone(): string {
  const nxx = () => `${2 + int(8)}${int(10)}${int(10)}`;
  const r = random();
  if (r < 0.5) {
    const area = pick(['415', '212', '646', '312', '617', '206', '512', '303']);
    const line = chars(DIGITS, 4);
    const ex = nxx();
    return pick([`+1 ${area} ${ex} ${line}`, `+1 (${area}) ${ex}-${line}`, `+1${area}${ex}${line}`, `+1-${area}-${ex}-${line}`]);
  }
  if (r < 0.7) return pick([`+44 7${pick(['4', '5', '7', '8', '9'])}${chars(DIGITS, 2)} ${chars(DIGITS, 6)}`, `+447${pick(['4', '5', '7', '8', '9'])}${chars(DIGITS, 8)}`]);
  if (r < 0.85) return `+49 15${pick(['1', '2', '7', '9'])} ${chars(DIGITS, 8)}`;
  return `+33 6 ${chars(DIGITS, 2)} ${chars(DIGITS, 2)} ${chars(DIGITS, 2)} ${chars(DIGITS, 2)}`;
}

/** Share of each kind among raw identifiers; phones are a modest share (and the slowest to normalize). */
const MIX: [IdentifierKind, number, () => string][] = [
  ['email', 0.3, email],
  ['ip', 0.25, ip],
  ['payment', 0.1, payment],
  ['device', 0.1, device],
  ['asn', 0.08, asn],
  ['org_domain', 0.07, orgDomain],
  ['api_key', 0.07, apiKey],
  ['phone', 0.03, phone],
];

interface Raw {
  kind: IdentifierKind;
  value: string;
}

function generate(n: number): Raw[] {
  const out = new Array<Raw>(n);
  for (let i = 0; i < n; i++) {
    let r = random();
    let entry = MIX[MIX.length - 1]!;
    for (const m of MIX) {
      if (r < m[1]) {
        entry = m;
        break;
      }
      r -= m[1];
    }
    out[i] = { kind: entry[0], value: entry[2]() };
  }
  return out;
}

// ---------------------------------------------------------------- run

const raws = generate(IDENTIFIERS);
progress({ phase: 'generated', raw_identifiers: raws.length, mix: Object.fromEntries(MIX.map(([k, share]) => [k, share])) });

let t = performance.now();
const normalized: NormalizedIdentifier[] = [];
const failures = new Map<string, number>();
for (const raw of raws) {
  const r = normalizeIdentifier(raw.kind, raw.value);
  if (r.ok) for (const v of r.values) normalized.push(v);
  else failures.set(`${raw.kind}: ${r.reason}`, (failures.get(`${raw.kind}: ${r.reason}`) ?? 0) + 1);
}
const normalizeSeconds = (performance.now() - t) / 1000;
const failed = [...failures.values()].reduce((a, b) => a + b, 0);
const byKind: Partial<Record<TokenKindName, number>> = {};
for (const v of normalized) byKind[v.kind] = (byKind[v.kind] ?? 0) + 1;
progress({ phase: 'normalized', normalized_inputs: normalized.length, failed, failure_reasons: Object.fromEntries(failures), by_kind: byKind, normalize_per_s: Math.round(raws.length / normalizeSeconds) });

const kinds = normalized.map((v) => v.kind);
const inputs = normalized.map((v) => v.value);
const secret = randomBytes(32);
const prf = new SharedKeyPrf(secret);
const prfObjectPath = new SharedKeyPrf(secret, { hmac: 'object' });
const hmacKeyBuffer = randomBytes(32);
const hmacKeyObject = createSecretKey(hmacKeyBuffer);
let sink = 0;

/** Timed side by side over the same inputs; each takes a slice [start, end). */
const measures: Record<string, (start: number, end: number) => void> = {
  tokens: (start, end) => {
    for (let i = start; i < end; i++) sink ^= prf.tokenize(EPOCH, kinds[i]!, inputs[i]!)[0]!;
  },
  hmac: (start, end) => {
    for (let i = start; i < end; i++) sink ^= createHmac('sha256', hmacKeyObject).update(inputs[i]!).digest()[0]!;
  },
  tokens_object_path: (start, end) => {
    for (let i = start; i < end; i++) sink ^= prfObjectPath.tokenize(EPOCH, kinds[i]!, inputs[i]!)[0]!;
  },
  hmac_buffer_key: (start, end) => {
    for (let i = start; i < end; i++) sink ^= createHmac('sha256', hmacKeyBuffer).update(inputs[i]!).digest()[0]!;
  },
};
const names = Object.keys(measures);
const fns = Object.values(measures);

function normalizeAndTokenize(): void {
  for (const raw of raws) {
    const r = normalizeIdentifier(raw.kind, raw.value);
    if (r.ok) for (const v of r.values) sink ^= prf.tokenize(EPOCH, v.kind, v.value)[0]!;
  }
}

// Warm-up on a slice: JIT, the epoch key, OpenSSL's first-use costs.
for (let r = 0; r < 3; r++) for (const fn of fns) fn(0, Math.min(20_000, inputs.length));

/**
 * One round is a full pass over the inputs for every measure, interleaved: the
 * inputs are cut into chunks of CHUNK, and each chunk runs through every
 * measure in turn, the order rotating from chunk to chunk. So the measures
 * share the machine's neighbours, caches and each other's garbage-collection
 * debt alike, and a burst of load elsewhere lands on all of them: on a busy
 * machine a pass-after-pass design mostly measures the neighbours.
 */
const CHUNK = 256;
const rates: Record<string, number[]> = Object.fromEntries([...names, 'normalize_and_tokenize'].map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) {
  const ms = new Float64Array(names.length);
  for (let start = 0, c = 0; start < inputs.length; start += CHUNK, c++) {
    const end = Math.min(inputs.length, start + CHUNK);
    for (let j = 0; j < fns.length; j++) {
      const m = (j + c) % fns.length;
      const t0 = performance.now();
      fns[m]!(start, end);
      ms[m]! += performance.now() - t0;
    }
  }
  const roundRates: Record<string, number> = {};
  names.forEach((name, m) => {
    const rate = inputs.length / (ms[m]! / 1000);
    rates[name]!.push(rate);
    roundRates[`${name}_per_s`] = Math.round(rate);
  });
  t = performance.now();
  normalizeAndTokenize();
  const full = raws.length / ((performance.now() - t) / 1000);
  rates.normalize_and_tokenize!.push(full);
  progress({ phase: 'round', round: r + 1, ...roundRates, normalize_and_tokenize_per_s: Math.round(full), ratio_to_hmac: round(roundRates.tokens_per_s! / roundRates.hmac_per_s!) });
}

const tokensPerS = median(rates.tokens!);
const hmacPerS = median(rates.hmac!);
const roundRatios = rates.tokens!.map((x, i) => x / rates.hmac![i]!);
progress({ phase: 'done', sink, round_ratios: roundRatios.map((x) => round(x)) });

console.log(
  JSON.stringify({
    bench: 'tokens',
    identifiers: raws.length,
    normalized_inputs: inputs.length,
    normalize_failed: failed,
    rounds: ROUNDS,
    tokens_per_s: Math.round(tokensPerS),
    hmac_per_s: Math.round(hmacPerS),
    // Paired: each round's two rates come from the same interleaved pass.
    ratio_to_hmac: round(median(roundRatios)),
    tokens_object_path_per_s: Math.round(median(rates.tokens_object_path!)),
    object_path_ratio_to_hmac: round(median(rates.tokens_object_path!) / hmacPerS),
    hmac_buffer_key_per_s: Math.round(median(rates.hmac_buffer_key!)),
    normalize_per_s: Math.round(raws.length / normalizeSeconds),
    normalize_and_tokenize_per_s: Math.round(median(rates.normalize_and_tokenize!)),
  }),
);
