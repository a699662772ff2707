import { describe, expect, it } from 'vitest';
import { createTemplateSigner } from '../../../src/crypto/minhash.js';
import { createSharedKeyPrf } from '../../../src/crypto/prf/shared-key-prf.js';
import { tokenizeSuspects, type SuspectRow } from '../../../src/fingerprint/ingest/tokenize-suspects.js';
import { SuspectSchema } from '../../../src/fingerprint/suspect.js';

const secret = new Uint8Array(32).fill(7);
const prf = createSharedKeyPrf(secret);
const deps = (epoch: number) => ({ prf, epoch, templateSigner: createTemplateSigner(prf.templateKey(epoch)) });
const suspect = (row: number, id: string, identifiers: Record<string, string[]>, prompts: string[] = []): SuspectRow => ({
  row,
  suspect: SuspectSchema.parse({ id, identifiers, prompts, labels: ['volume'], score: 0.8, first_seen: '2026-11-01T00:00:00Z', last_seen: '2026-11-02T00:00:00Z', expires: '2027-01-01T00:00:00Z' }),
});
const tokenHex = (r: { records: { tokens: { kind: number; value: Uint8Array }[] }[] }) => r.records.flatMap((rec) => rec.tokens.map((t) => `${t.kind}:${Buffer.from(t.value).toString('hex')}`)).sort();

describe('tokenizeSuspects', () => {
  it('gives identical tokens to the same identifiers in different surface forms', async () => {
    const a = await tokenizeSuspects([suspect(1, 'x', { email: ['John.Smith+news@GMAIL.com'], phone: ['+33 6 12 34 91 07'], ip: ['203.0.113.9'], org_domain: ['https://shop.Example.co.uk/x'], asn: ['AS64500'] })], deps(3));
    const b = await tokenizeSuspects([suspect(9, 'y', { email: ['johnsmith@googlemail.com'], phone: ['+33 (0)6-12-34-91-07'], ip: ['::ffff:203.0.113.9'], org_domain: ['example.co.uk'], asn: ['64500'] })], deps(3));
    expect(tokenHex(a)).toHaveLength(6); // email, phone, ip, ip prefix, domain, asn
    expect(tokenHex(a)).toEqual(tokenHex(b));
  });

  it('makes tokens of different epochs unrelated', async () => {
    const rows = [suspect(1, 'x', { email: ['a@example.org'], device: ['dev-1'], payment: ['pm_1'] })];
    const e1 = tokenHex(await tokenizeSuspects(rows, deps(1))).map((t) => t.split(':')[1]!);
    const e2 = tokenHex(await tokenizeSuspects(rows, deps(2))).map((t) => t.split(':')[1]!);
    expect(e1.filter((t) => e2.includes(t))).toEqual([]);
    // No byte position agrees more than chance would allow across the three tokens.
    const same = e1.reduce((n, t, i) => n + [...Buffer.from(t, 'hex')].filter((byte, j) => byte === Buffer.from(e2[i]!, 'hex')[j]).length, 0);
    expect(same).toBeLessThan(8);
  });

  it('reports values that cannot be normalized with row and field, and never publishes them', async () => {
    const r = await tokenizeSuspects([
      suspect(4, 'x', { email: ['no-at-sign', 'ok@example.org'] }),
      suspect(7, 'y', { phone: ['12'] }),
    ], deps(1));
    expect(r.problems).toEqual([
      { row: 4, field: 'identifiers.email[0]', reason: expect.any(String) },
      { row: 7, field: 'identifiers.phone[0]', reason: expect.any(String) },
      { row: 7, field: 'identifiers', reason: expect.stringMatching(/not published/) },
    ]);
    expect(r.counts).toMatchObject({ suspects: 2, accounts: 1, tokens: 1, rejectedValues: 2 });
    expect(r.local.map((l) => l.accountId)).toEqual(['x']);
  });

  it('publishes a prompt template only once seen across enough accounts and prompts', async () => {
    const prompts = (n: number) => Array.from({ length: n }, (_, i) => `Please reason step by step and show all intermediate thinking for task ${i}: sort the list [${i}, ${i + 3}, ${i + 1}]`);
    const few = await tokenizeSuspects([suspect(1, 'a', { device: ['d1'] }, prompts(20))], deps(1));
    expect(few.counts.templates).toBe(0); // one account only
    const many = await tokenizeSuspects(['a', 'b', 'c'].map((id, i) => suspect(i + 1, id, { device: [`d-${id}`] }, prompts(4))), deps(1));
    expect(many.counts.templates).toBe(1);
    const template = many.records.find((r) => r.kind === 2)!;
    expect(template.template!.minhash).toHaveLength(128);
    expect(template.tokens).toHaveLength(0);
    // Record ids are opaque: nothing of the account id in them.
    for (const r of many.records) expect(r.recordId).toMatch(/^r-[A-Za-z0-9_-]{16}$/);
  });
});
