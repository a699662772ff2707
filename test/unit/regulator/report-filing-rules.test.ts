import { create, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { TokenKind } from '../../../src/gen/cordon/v1/common_pb.js';
import { ReportIndicatorSchema, ReportSchema, type Report } from '../../../src/gen/cordon/v1/regulator_pb.js';
import { generateNodeKey, type NodeKey } from '../../../src/crypto/keys.js';
import { signDetached } from '../../../src/crypto/detached-jws.js';
import { CordonError } from '../../../src/errors.js';
import { addSignature, unsignedManifest } from '../../../src/federation/membership/manifest-jws.js';
import { Membership } from '../../../src/federation/membership/membership.js';
import { buildSignedReport } from '../../../src/regulator/reports/build-report.js';
import { parseIndicators } from '../../../src/regulator/reports/indicators-file.js';
import { MAX_INDICATORS, MAX_NARRATIVE_CHARS, MAX_REPORT_BYTES } from '../../../src/regulator/reports/limits.js';
import { signFiling, signReceipt, verifyFiling, verifyReceipt } from '../../../src/regulator/reports/signatures.js';
import { filingStatement, reportDigest } from '../../../src/regulator/reports/statements.js';
import { checkReport, decodeReport } from '../../../src/regulator/reports/validate-report.js';
import { tok } from './fixtures.js';

const keys: Record<string, NodeKey> = Object.fromEntries(['c1', 'p1', 'p2', 'reg', 'gone'].map((id) => [id, generateNodeKey().key]));
const role: Record<string, 'consortium' | 'provider' | 'regulator'> = { c1: 'consortium', p1: 'provider', p2: 'provider', reg: 'regulator', gone: 'provider' };
const membership = Membership.fromDocument(addSignature(unsignedManifest({
  consortium: 'test', version: 1, issued_at: '2026-11-27T00:00:00Z', threshold: 1, founders: ['c1'],
  members: Object.keys(keys).map((id) => ({ id, organisation: id, role: role[id]!, jwk: keys[id]!.publicJwk, endpoints: {}, status: id === 'gone' ? 'revoked' as const : 'active' as const })),
  policy: {},
}), 'c1', keys.c1!.privateKey));

const NOW = Date.parse('2026-11-27T12:00:00Z');

function report(over: Partial<Report> = {}): Report {
  return create(ReportSchema, {
    providerId: 'p1',
    campaignRef: 'cmp-7f3a',
    indicators: [create(ReportIndicatorSchema, { kind: TokenKind.EMAIL, token: Buffer.from(tok(0xa1), 'hex'), epoch: 3 })],
    narrative: 'Forty accounts harvested chain-of-thought at scale over ten days.',
    contact: 'Reporting desk, +1 (ref R-2291)',
    createdMs: BigInt(NOW),
    ...over,
  });
}

function rejects(f: () => unknown, message: RegExp, code = 'INVALID_INPUT'): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a CordonError').toBeInstanceOf(CordonError);
  expect((err as CordonError).code).toBe(code);
  expect((err as CordonError).message).toMatch(message);
}

describe('report content checks (the same on the provider and at the regulator)', () => {
  it('accepts a well-formed report', () => {
    expect(() => checkReport(report(), { now: NOW })).not.toThrow();
  });

  const cases: [string, Partial<Report>, RegExp][] = [
    ['missing campaign', { campaignRef: '' }, /^report campaign_ref: is required$/],
    ['campaign with a path separator', { campaignRef: 'cmp/../x' }, /^report campaign_ref: must be 1–128 chars/],
    ['no indicators', { indicators: [] }, /^report indicators: at least one token is required$/],
    ['too many indicators', { indicators: Array.from({ length: MAX_INDICATORS + 1 }, (_, i) => create(ReportIndicatorSchema, { kind: TokenKind.EMAIL, token: Buffer.alloc(32, i % 256).fill(i >> 8, 0, 1), epoch: 1 })) },
      new RegExp(`^report indicators: ${MAX_INDICATORS + 1} exceeds the limit of ${MAX_INDICATORS}$`)],
    ['a short token', { indicators: [create(ReportIndicatorSchema, { kind: TokenKind.EMAIL, token: Buffer.alloc(16), epoch: 1 })] }, /^report indicators\[0\]\.token: must be 32 bytes \(a keyed token\), got 16$/],
    ['a raw email as token bytes', { indicators: [create(ReportIndicatorSchema, { kind: TokenKind.EMAIL, token: Buffer.from('alice@example.com'), epoch: 1 })] }, /^report indicators\[0\]\.token: must be 32 bytes/],
    ['an unspecified kind', { indicators: [create(ReportIndicatorSchema, { kind: TokenKind.UNSPECIFIED, token: Buffer.alloc(32), epoch: 1 })] }, /^report indicators\[0\]\.kind: unknown token kind 0$/],
    ['a repeated token', { indicators: [0, 1].map(() => create(ReportIndicatorSchema, { kind: TokenKind.PHONE, token: Buffer.alloc(32, 7), epoch: 2 })) }, /^report indicators\[1\]: repeats an earlier phone token$/],
    ['an empty narrative', { narrative: '  \n ' }, /^report narrative: is required$/],
    ['a narrative too long', { narrative: 'x'.repeat(MAX_NARRATIVE_CHARS + 1) }, new RegExp(`^report narrative: ${MAX_NARRATIVE_CHARS + 1} characters exceeds the limit of ${MAX_NARRATIVE_CHARS}$`)],
    ['a control character', { narrative: 'bell\u0007' }, /^report narrative: contains control character U\+0007 at character 4$/],
    ['a raw email in the narrative', { narrative: 'The ring used alice@example.com to sign up.' }, /^report narrative: looks like it contains a raw email address \(at character 14\)/],
    ['a raw IP in the narrative', { narrative: 'All from 198.51.100.7.' }, /^report narrative: looks like it contains a raw IPv4 address/],
    ['a missing contact', { contact: '' }, /^report contact: is required$/],
    ['a multi-line contact', { contact: 'desk\nsecond line' }, /^report contact: must be a single line$/],
    ['a provider id that is no node id', { providerId: 'P 1' }, /^report provider_id: must be a node id/],
    ['no creation time', { createdMs: 0n }, /^report created_ms: is required$/],
    ['a report from the past', { createdMs: BigInt(NOW - 3_600_000) }, /^report created_ms: is 3600 s behind the regulator's clock \(at most 300 s allowed; file reports fresh\)$/],
  ];
  for (const [name, over, message] of cases) {
    it(`rejects ${name}`, () => rejects(() => checkReport(report(over), { now: NOW }), message));
  }

  it('bounds the bytes before decoding them, and names undecodable bytes', () => {
    rejects(() => decodeReport(new Uint8Array()), /^report bytes: empty$/);
    rejects(() => decodeReport(new Uint8Array(MAX_REPORT_BYTES + 1)), new RegExp(`^report bytes: ${MAX_REPORT_BYTES + 1} bytes exceeds the ${MAX_REPORT_BYTES}-byte limit$`));
    rejects(() => decodeReport(Uint8Array.from([0xff, 0xff, 0xff])), /^report bytes: not a cordon.v1.Report/);
    const r = report();
    expect(decodeReport(toBinary(ReportSchema, r)).narrative).toBe(r.narrative);
  });

  it('stops a raw identifier on the provider, before anything is signed', () => {
    rejects(() => buildSignedReport({ providerId: 'p1', campaignRef: 'c1', indicators: [{ kind: 'email', token_hex: tok(1), epoch: 1 }], narrative: 'Call +44 20 7946 0958.', contact: 'desk' }, keys.p1!.privateKey),
      /^report narrative: looks like it contains a raw phone number/);
  });
});

describe('filing signatures and receipts', () => {
  const built = buildSignedReport({ providerId: 'p1', campaignRef: 'cmp-1', indicators: [{ kind: 'device', token_hex: tok(9), epoch: 1 }], narrative: 'Synchronised bursts.', contact: 'desk' }, keys.p1!.privateKey);

  it('binds the provider to the digest of the exact bytes, and the regulator to digest and time', () => {
    expect(Buffer.from(built.digest).equals(Buffer.from(reportDigest(built.signed.report)))).toBe(true);
    expect(() => verifyFiling(membership, 'p1', built.digest, built.signed.signature)).not.toThrow();
    const receipt = signReceipt(keys.reg!.privateKey, 'reg', built.digest, BigInt(NOW));
    expect(() => verifyReceipt(membership, built.digest, receipt)).not.toThrow();
    expect(Buffer.from(filingStatement('p1', built.digest)).toString()).toBe(`cordon-filed-report/v1\np1\n${Buffer.from(built.digest).toString('hex')}\n`);
  });

  it('rejects a filing signature by someone else, over other bytes, by a revoked or non-provider member', () => {
    const other = reportDigest(new Uint8Array([1, 2, 3]));
    rejects(() => verifyFiling(membership, 'p1', other, built.signed.signature), /^report signature: does not verify against p1's key over the report digest$/, 'INVALID_SIGNATURE');
    rejects(() => verifyFiling(membership, 'p2', built.digest, built.signed.signature), /^report signature: signed by 'p1', but the report is by 'p2'$/, 'INVALID_SIGNATURE');
    rejects(() => verifyFiling(membership, 'p2', built.digest, signFiling(keys.p1!.privateKey, 'p2', built.digest)), /does not verify against p2's key/, 'INVALID_SIGNATURE');
    rejects(() => verifyFiling(membership, 'gone', built.digest, signFiling(keys.gone!.privateKey, 'gone', built.digest)), /^report signature: member 'gone' is revoked$/, 'PERMISSION_DENIED');
    rejects(() => verifyFiling(membership, 'reg', built.digest, signFiling(keys.reg!.privateKey, 'reg', built.digest)), /^report signature: 'reg' is a regulator, not a provider$/, 'PERMISSION_DENIED');
    // A JWS of the right key but the wrong typ (e.g. a batch signature replayed) is no filing.
    rejects(() => verifyFiling(membership, 'p1', built.digest, signDetached(filingStatement('p1', built.digest), keys.p1!.privateKey, 'p1', 'cordon-batch+jws')), /typ must be cordon-report\+jws/, 'INVALID_SIGNATURE');
  });

  it('rejects a receipt for another digest, with a changed time, or signed by a non-regulator', () => {
    const receipt = signReceipt(keys.reg!.privateKey, 'reg', built.digest, BigInt(NOW));
    rejects(() => verifyReceipt(membership, reportDigest(new Uint8Array([9])), receipt), /^report receipt: it is for a different report digest$/, 'INVALID_SIGNATURE');
    rejects(() => verifyReceipt(membership, built.digest, { ...receipt, receivedMs: receipt.receivedMs + 1n }), /^report receipt: does not verify against reg's key$/, 'INVALID_SIGNATURE');
    rejects(() => verifyReceipt(membership, built.digest, signReceipt(keys.c1!.privateKey, 'c1', built.digest, BigInt(NOW))), /^report receipt: 'c1' is a consortium, not a regulator$/, 'PERMISSION_DENIED');
    rejects(() => verifyReceipt(membership, built.digest, { ...receipt, regulatorId: 'c1' }), /signed by 'reg', but names regulator 'c1'/, 'INVALID_SIGNATURE');
  });
});

describe('indicators file', () => {
  it('reads JSON lines and JSON arrays of tokens', () => {
    const line = (n: number) => JSON.stringify({ kind: 'email', value: tok(n), epoch: 3 });
    expect(parseIndicators(`${line(1)}\n\n${line(2)}\n`, 'f')).toEqual([{ kind: 'email', token_hex: tok(1), epoch: 3 }, { kind: 'email', token_hex: tok(2), epoch: 3 }]);
    expect(parseIndicators(`[${line(1)}]`, 'f')).toHaveLength(1);
  });

  it('names the line and field of what is wrong, and never echoes a value that is not a token', () => {
    rejects(() => parseIndicators('{"kind":"email","value":"alice@example.com","epoch":1}', 'ind.jsonl'),
      /^ind\.jsonl:1\.value: must be exactly 64 hex characters \(a keyed token\), got 17 characters with non-hex ones$/);
    rejects(() => parseIndicators(`${JSON.stringify({ kind: 'email', value: tok(1), epoch: 1 })}\n{"kind":"iban","value":"${tok(2)}","epoch":1}`, 'f'), /^f:2\.kind: unknown kind "iban"/);
    rejects(() => parseIndicators(`{"kind":"email","value":"${tok(1)}","epoch":1,"raw":"x"}`, 'f'), /^f:1: unknown field 'raw'/);
    rejects(() => parseIndicators('not json', 'f'), /^f:1: not valid JSON$/);
    rejects(() => parseIndicators('\n', 'f'), /^f: no indicators$/);
  });
});
