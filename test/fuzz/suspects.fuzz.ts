import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTemplateSigner } from '../../src/crypto/minhash.js';
import { createSharedKeyPrf } from '../../src/crypto/prf/shared-key-prf.js';
import { readSuspectsFile } from '../../src/fingerprint/ingest/read-suspects.js';
import { tokenizeSuspects } from '../../src/fingerprint/ingest/tokenize-suspects.js';
import { IDENTIFIER_KINDS } from '../../src/fingerprint/suspect.js';
import { hostileJson, mutatedText } from './harness/mutate.js';
import { asyncOutcomeOf, invariant } from './harness/outcome.js';
import { defineTarget, prepared } from './harness/target.js';

/**
 * `cordon publish --raw` input (fingerprint/ingest): a suspects file is read
 * (whole-file refusal on a malformed line), then every identifier is
 * normalized per kind and tokenized. Hostile identifier values must become
 * per-value problems, never an exception, and never appear in what would be
 * published (the records hold only 32-byte tokens).
 */
const SUSPECT = {
  id: 'acct-1', identifiers: { email: ['John.Smith+x@GMAIL.com'], phone: ['+33 6 12 34 91 07'], ip: ['203.0.113.9'], asn: ['AS64500'], org_domain: ['https://shop.example.co.uk/x'], payment: ['pm_1'], device: ['dev-1'], api_key: ['sk-123'] },
  prompts: ['Explain step by step: what is 2+2?'], labels: ['volume'], score: 0.8, first_seen: '2026-11-01T00:00:00Z', last_seen: '2026-11-02T00:00:00Z', expires: '2027-01-01T00:00:00Z',
};

/** Values that normalizers of each kind find hard: odd Unicode, IPv6 forms, huge numbers, URLs. */
const HOSTILE_IDENTIFIERS = ['', ' ', '@', 'a@b', '"a b"@example.org', 'a@[127.0.0.1]', '::', '::ffff:0.0.0.0', '1::2::3', '256.1.1.1', '0x7f.1', 'fe80::1%eth0', '+', '+999999999999999999999', '00', 'AS4294967296', 'AS-1', 'http://', 'https://[::1]:99999/', 'xn--', '.co.uk', 'ＡＢＣ@ｅｘａｍｐｌｅ.ｃｏｍ', '\u0000', '\ud800', 'é'.repeat(300)];

const identifiers = fc.dictionary(fc.constantFrom(...IDENTIFIER_KINDS), fc.array(fc.oneof(fc.constantFrom(...HOSTILE_IDENTIFIERS), fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 })), { maxLength: 3 }));

const line = fc.oneof(
  { weight: 3, arbitrary: identifiers.map((ids) => JSON.stringify({ ...SUSPECT, identifiers: ids })) },
  { weight: 2, arbitrary: mutatedText(fc.constant(JSON.stringify(SUSPECT)), 3) },
  { weight: 1, arbitrary: fc.record(Object.fromEntries(Object.entries(SUSPECT).map(([k, v]) => [k, fc.oneof(fc.constant(v), hostileJson)])), { requiredKeys: [] }).map((o) => JSON.stringify(o)) },
);

export default defineTarget({
  name: 'suspects',
  covers: 'suspects files and identifier normalization (readSuspectsFile, tokenizeSuspects)',
  async prepare() {
    const dir = await mkdtemp(join(tmpdir(), 'cordon-fuzz-suspects-'));
    const path = join(dir, 'suspects.jsonl');
    const prf = createSharedKeyPrf(new Uint8Array(32).fill(7));
    const deps = { prf, epoch: 1, templateSigner: createTemplateSigner(prf.templateKey(1)) };
    return prepared({
      arbitrary: fc.array(line, { minLength: 1, maxLength: 3 }),
      async check(lines) {
        await writeFile(path, lines.join('\n'));
        return asyncOutcomeOf(async () => tokenizeSuspects(await readSuspectsFile(path), deps), { kind: 'cordon', codes: ['INVALID_INPUT'] }, (result) => {
          for (const r of result.records) {
            invariant(r.tokens.every((t) => t.value.length === 32), 'a published token is not 32 bytes');
            invariant(/^r-[A-Za-z0-9_-]{16}$/.test(r.recordId), `record id ${r.recordId} is not opaque`);
          }
          invariant(result.problems.every((p) => p.reason.length > 0 && p.field.length > 0), 'a problem without a field or reason');
        });
      },
      async close() {
        await rm(dir, { recursive: true, force: true });
      },
    });
  },
});
