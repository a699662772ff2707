import { hex32, mix32, type Rng } from '../prng.js';

/**
 * Fake identifiers that look like the real thing and normalise the way the
 * real thing does, so the detector's and the fingerprint module's
 * normalisation is exercised: Gmail ignores dots and `+tags` in the local
 * part, other providers only `+tags`; phones are valid E.164 numbers.
 */

const FIRST = ['maria', 'james', 'wei', 'fatima', 'lucas', 'aisha', 'noah', 'yuki', 'olga', 'diego', 'priya', 'liam', 'sofia', 'omar', 'chen', 'emma', 'ivan', 'zara', 'mateo', 'hana', 'kofi', 'lena', 'ravi', 'nina', 'tomas', 'amara', 'felix', 'mei', 'samir', 'ines', 'jonas', 'leila'];
const LAST = ['garcia', 'smith', 'zhang', 'khan', 'silva', 'okafor', 'mueller', 'tanaka', 'petrova', 'lopez', 'patel', 'brown', 'rossi', 'haddad', 'wang', 'martin', 'novak', 'ali', 'fernandez', 'kim', 'mensah', 'schmidt', 'iyer', 'costa', 'dvorak', 'nwosu', 'weber', 'lin', 'aziz', 'moreau', 'berg', 'rahimi'];
/** Free mail domains; gmail.com matters most because its alias rules are the loosest. */
export const FREE_MAIL = ['gmail.com', 'gmail.com', 'gmail.com', 'outlook.com', 'proton.me', 'yahoo.com', 'hotmail.com'] as const;
const ORG_WORDS = ['northwind', 'contoso', 'fabrikam', 'tailspin', 'wingtip', 'adventureworks', 'litware', 'proseware', 'lucerne', 'margie', 'fourthcoffee', 'woodgrove', 'alpineski', 'blueyonder', 'coho', 'datum', 'humongous', 'trey', 'wideworld', 'graphicdesign'];
const UNI_WORDS = ['riverside', 'lakeshore', 'hillcrest', 'northgate', 'eastfield', 'westbrook', 'summit', 'harbor', 'oakridge', 'pinecrest', 'stonebridge', 'fairview'];

export function personName(key: number): { first: string; last: string } {
  const h = mix32(key, 0x9a3e);
  return { first: FIRST[h % FIRST.length] as string, last: LAST[(h >>> 8) % LAST.length] as string };
}

/** A person's own address at a free mail provider; `key` is unique per person, so addresses never collide by accident. */
export function personalEmail(key: number): string {
  const { first, last } = personName(key);
  const h = mix32(key, 0xe3a1);
  const domain = FREE_MAIL[h % FREE_MAIL.length] as string;
  const style = (h >>> 4) % 4;
  const local = style === 0 ? `${first}.${last}${key}` : style === 1 ? `${first}${last}${key}` : style === 2 ? `${first[0]}${last}${key}` : `${last}.${first}.${key}`;
  return `${local}@${domain}`;
}

/** A work address at an organisation's domain. */
export function workEmail(key: number, domain: string): string {
  const { first, last } = personName(key);
  return `${first}.${last}.${key}@${domain}`;
}

/** An organisation's domain under the reserved `.example` TLD (RFC 2606). */
export function orgDomain(orgKey: number, university: boolean): string {
  const h = mix32(orgKey, 0xd0ae);
  if (university) return `${UNI_WORDS[h % UNI_WORDS.length]}-university-${orgKey}.example`;
  return `${ORG_WORDS[h % ORG_WORDS.length]}-${orgKey}.example`;
}

/**
 * An alias of a Gmail base address: dots moved around and a `+tag`, which
 * Gmail delivers to the same mailbox, so accounts made this way collapse to
 * one address once normalised.
 */
export function gmailAlias(base: string, rng: Rng): string {
  const letters = base.replace(/\./g, '');
  let local = '';
  for (let i = 0; i < letters.length; i++) {
    local += letters[i];
    // Dots only between letters, the way people (and sign-up scripts) write them.
    const here = letters.charCodeAt(i);
    const next = letters.charCodeAt(i + 1);
    if (i > 0 && here >= 97 && next >= 97 && next <= 122 && rng.chance(0.15)) local += '.';
  }
  const tag = rng.chance(0.7) ? `+${rng.pick(['ai', 'dev', 'work', 'x', 'api', 'q'])}${rng.int(1, 999)}` : '';
  return `${rng.chance(0.2) ? local.charAt(0).toUpperCase() + local.slice(1) : local}${tag}@gmail.com`;
}

/** A base mailbox name for a campaign's alias family. */
export function aliasBase(key: number): string {
  const { first, last } = personName(key);
  return `${first}${last}${key}`;
}

/**
 * North American area codes that libphonenumber accepts. The exchange 555
 * with lines 0100–0199 is reserved for fiction in every one of them, so the
 * first 29,700 phone keys map to numbers that exist nowhere; later keys get
 * other valid-format numbers.
 */
const AREA_CODES = [201, 202, 203, 205, 206, 207, 208, 209, 210, 212, 213, 214, 215, 216, 217, 218, 219, 224, 225, 228, 229, 231, 234, 239, 240, 248, 251, 252, 253, 254, 256, 260, 262, 267, 269, 270, 276, 281, 301, 302, 303, 304, 305, 307, 308, 309, 310, 312, 313, 314, 315, 316, 317, 318, 319, 320, 321, 323, 325, 330, 331, 334, 336, 337, 339, 347, 351, 352, 360, 361, 385, 386, 401, 402, 404, 405, 406, 407, 408, 409, 410, 412, 413, 414, 415, 417, 419, 423, 424, 425, 430, 432, 434, 435, 440, 442, 443, 458, 469, 470, 475, 478, 479, 480, 484, 501, 502, 503, 504, 505, 507, 508, 509, 510, 512, 513, 515, 516, 517, 518, 520, 530, 531, 534, 539, 540, 541, 551, 559, 561, 562, 563, 567, 570, 571, 573, 574, 575, 580, 585, 586, 601, 602, 603, 605, 606, 607, 608, 609, 610, 612, 614, 615, 616, 617, 618, 619, 620, 623, 626, 628, 629, 630, 631, 636, 641, 646, 650, 651, 657, 660, 661, 662, 667, 669, 678, 681, 682, 701, 702, 703, 704, 706, 707, 708, 712, 713, 714, 715, 716, 717, 718, 719, 720, 724, 725, 727, 731, 732, 734, 737, 740, 747, 754, 757, 760, 762, 763, 765, 769, 770, 772, 773, 774, 775, 779, 781, 785, 786, 801, 802, 803, 804, 805, 806, 808, 810, 812, 813, 814, 815, 816, 817, 818, 828, 830, 831, 832, 843, 845, 847, 848, 850, 856, 857, 858, 859, 860, 862, 863, 864, 865, 870, 872, 878, 901, 903, 904, 906, 907, 908, 909, 910, 912, 913, 914, 915, 916, 917, 918, 919, 920, 925, 928, 929, 931, 936, 937, 938, 940, 941, 947, 949, 951, 952, 954, 956, 959, 970, 971, 972, 973, 978, 979, 980, 985, 989];
const FICTIONAL_CAPACITY = AREA_CODES.length * 100;

/** A distinct valid E.164 number for each key (keys below 29,700 are fictional 555-01xx numbers). */
export function phoneNumber(key: number): string {
  if (key < FICTIONAL_CAPACITY) {
    const area = AREA_CODES[key % AREA_CODES.length] as number;
    const line = Math.floor(key / AREA_CODES.length);
    return `+1${area}55501${String(line).padStart(2, '0')}`;
  }
  const k = key - FICTIONAL_CAPACITY;
  const area = AREA_CODES[k % AREA_CODES.length] as number;
  const rest = Math.floor(k / AREA_CODES.length);
  // Exchange 200–999 except 555; line number 0000–9999.
  let exchange = 200 + (Math.floor(rest / 10000) % 799);
  if (exchange >= 555) exchange += 1;
  return `+1${area}${exchange}${String(rest % 10000).padStart(4, '0')}`;
}

/**
 * A card fingerprint as a payment processor reports it (opaque, stable per
 * card). `ns` separates key spaces: an organisation's n-th card is
 * (orgKey, n), never mistaken for a person's card with the same key.
 */
export function cardFingerprint(key: number, ns = 0): string {
  return `pm_card_${hex32(mix32(key, 0xca7d, ns))}${hex32(mix32(key, 0xca7e, ns))}`;
}

/** An invoiced billing account of an organisation. */
export function invoiceAccount(orgKey: number): string {
  return `pm_inv_${hex32(mix32(orgKey, 0x1a01))}`;
}

/** A client / device fingerprint (for API traffic: SDK install and TLS stack). */
export function deviceFingerprint(key: number, ns = 0): string {
  return `dfp_${hex32(mix32(key, 0xdef1, ns))}${hex32(mix32(key, 0xdef2, ns))}`;
}

const KEY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** An API key in the common `sk-…` shape. */
export function apiKey(provider: string, key: number, n: number): string {
  let s = `sk-${provider}-`;
  let h = mix32(key, n, 0xa91);
  for (let i = 0; i < 24; i++) {
    if (i % 6 === 0) h = mix32(h, i, key);
    s += KEY_ALPHABET[h & 31];
    h >>>= 5;
  }
  return s;
}
