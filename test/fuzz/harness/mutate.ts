import fc from 'fast-check';

/**
 * Structure-aware fuzzing on a budget: start from a valid input and apply a
 * few random edits (the edits AFL and libFuzzer favour), so most cases get
 * deep into a parser before something is wrong, instead of failing at the
 * first byte as uniformly random input does. fast-check shrinks the list of
 * edits, so a failure is reported with the fewest edits that still fail.
 */

/** Values that sit on boundaries of varints, lengths, signs and UTF-8. */
const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0xc0, 0xed, 0xf4, 0x08, 0x0a, 0x12, 0x1a, 0x22, 0x2a];

/** Varints that break length and count arithmetic: 0, just over small limits, 2^31, 2^32, 2^53, 2^63, 2^64 − 1. */
const INTERESTING_VARINTS: readonly bigint[] = [0n, 1n, 127n, 128n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, (1n << 53n) + 1n, 1n << 63n, (1n << 64n) - 1n];

type ByteEdit =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; len: number }
  | { op: 'duplicate'; at: number; len: number; to: number }
  | { op: 'truncate'; at: number }
  | { op: 'varint'; at: number; value: bigint };

const position = fc.nat({ max: 1 << 20 });

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: position, bit: fc.nat({ max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: position, value: fc.oneof(fc.constantFrom(...INTERESTING_BYTES), fc.nat({ max: 255 })) }),
  fc.record({ op: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 24 }) }),
  fc.record({ op: fc.constant('delete' as const), at: position, len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant('duplicate' as const), at: position, len: fc.integer({ min: 1, max: 96 }), to: position }),
  fc.record({ op: fc.constant('truncate' as const), at: position }),
  fc.record({ op: fc.constant('varint' as const), at: position, value: fc.constantFrom(...INTERESTING_VARINTS) }),
);

function varint(v: bigint): number[] {
  const out: number[] = [];
  let x = v;
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x !== 0n) b |= 0x80;
    out.push(b);
  } while (x !== 0n);
  return out;
}

function applyByteEdit(input: Uint8Array, e: ByteEdit): Uint8Array {
  const n = input.length;
  const at = n === 0 ? 0 : e.at % (n + (e.op === 'insert' ? 1 : 0));
  const splice = (start: number, removed: number, inserted: ArrayLike<number>) => {
    const out = new Uint8Array(n - removed + inserted.length);
    out.set(input.subarray(0, start), 0);
    out.set(inserted, start);
    out.set(input.subarray(start + removed), start + inserted.length);
    return out;
  };
  switch (e.op) {
    case 'flip': { if (n === 0) return input; const out = input.slice(); out[at] = out[at]! ^ (1 << e.bit); return out; }
    case 'set': { if (n === 0) return input; const out = input.slice(); out[at] = e.value; return out; }
    case 'insert': return splice(at, 0, e.bytes);
    case 'delete': return n === 0 ? input : splice(at, Math.min(e.len, n - at), []);
    case 'duplicate': { if (n === 0) return input; const span = input.slice(at, at + e.len); return splice(e.to % (n + 1), 0, span); }
    case 'truncate': return input.subarray(0, at);
    case 'varint': { const bytes = varint(e.value); return n === 0 ? Uint8Array.from(bytes) : splice(at, Math.min(bytes.length, n - at), bytes); }
  }
}

/** `base`'s bytes after 0–`maxEdits` random edits (0 edits: the valid input itself, which must keep passing). */
export function mutatedBytes(base: fc.Arbitrary<Uint8Array>, maxEdits = 4): fc.Arbitrary<Uint8Array> {
  return fc.tuple(base, fc.array(byteEdit, { maxLength: maxEdits })).map(([bytes, edits]) => edits.reduce(applyByteEdit, bytes));
}

/** Snippets that derail JSON, base64url, CSV, URLs and number parsing. */
const INTERESTING_TEXT = [
  '"', '\\', '{', '}', '[', ']', ',', ':', '.', '..', '=', '&', '%', '%zz', '%00', '+', '-', '_', '\n', '\r\n', '\t', '\u0000', '\ufeff', '\ud800', '\u2028',
  'null', 'true', '[]', '{}', '-1', '0', '-0', '1e309', 'NaN', '9007199254740993', '18446744073709551616', '1.5', '0x1f',
  '"__proto__"', '{"__proto__":{"a":1}}', '"constructor"', '\\u0000', '\\ud800', '\\"', 'é', '😀', 'a'.repeat(300),
  'eyJ9', 'bnVsbA', 'W10', 'e30', 'AAAA', '////', '____', '----',
];

type TextEdit =
  | { op: 'insert'; at: number; text: string }
  | { op: 'delete'; at: number; len: number }
  | { op: 'replace'; at: number; len: number; text: string }
  | { op: 'duplicate'; at: number; len: number; to: number }
  | { op: 'truncate'; at: number };

const snippet = fc.oneof(fc.constantFrom(...INTERESTING_TEXT), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 }));

const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), at: position, text: snippet }),
  fc.record({ op: fc.constant('delete' as const), at: position, len: fc.integer({ min: 1, max: 24 }) }),
  fc.record({ op: fc.constant('replace' as const), at: position, len: fc.integer({ min: 1, max: 12 }), text: snippet }),
  fc.record({ op: fc.constant('duplicate' as const), at: position, len: fc.integer({ min: 1, max: 64 }), to: position }),
  fc.record({ op: fc.constant('truncate' as const), at: position }),
);

function applyTextEdit(s: string, e: TextEdit): string {
  const n = s.length;
  const at = e.at % (n + 1);
  switch (e.op) {
    case 'insert': return s.slice(0, at) + e.text + s.slice(at);
    case 'delete': return s.slice(0, at) + s.slice(at + e.len);
    case 'replace': return s.slice(0, at) + e.text + s.slice(at + e.len);
    case 'duplicate': { const to = e.to % (n + 1); return s.slice(0, to) + s.slice(at, at + e.len) + s.slice(to); }
    case 'truncate': return s.slice(0, at);
  }
}

/** `base`'s text after 0–`maxEdits` random edits. */
export function mutatedText(base: fc.Arbitrary<string>, maxEdits = 4): fc.Arbitrary<string> {
  return fc.tuple(base, fc.array(textEdit, { maxLength: maxEdits })).map(([text, edits]) => edits.reduce(applyTextEdit, text));
}

/** Any JSON value, biased to the shapes parsers mishandle (deep nesting, odd numbers, prototype keys). */
export const hostileJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 4 }).chain((v) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(v) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(null, [], {}, -0, 1e308, -1, 2 ** 53 + 2, '', 'x'.repeat(5000), { __proto__: null }, JSON.parse('{"__proto__":{"polluted":1}}')) },
  ),
);
