import fc from 'fast-check';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addSignature, parseGeneralJws, validFounderSignatures } from '../../src/federation/membership/manifest-jws.js';
import { Membership } from '../../src/federation/membership/membership.js';
import type { GeneralJws } from '../../src/federation/membership/schema.js';
import { fuzzConsortium } from './harness/consortium.js';
import { hostileJson, mutatedText } from './harness/mutate.js';
import { asyncOutcomeOf, invariant, stateUnchanged } from './harness/outcome.js';
import { defineTarget, prepared } from './harness/target.js';

/**
 * Manifest updates as a node receives them (Membership.update: parse the
 * General JWS, validate the payload, count the trusted founders' valid
 * signatures, persist, adopt). Inputs: the JSON text of a real signed update,
 * edited; payloads that are arbitrary JSON but signed by both founders (so
 * the schema is reached past the signatures); and signature entries with
 * hostile protected headers. A refused update must change nothing: not the
 * adopted version, not the document, not the file on disk.
 */
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v) ?? 'undefined').toString('base64url');

export default defineTarget({
  name: 'manifest',
  covers: 'membership manifest parsing and verification (parseGeneralJws, Membership.update)',
  async prepare() {
    const consortium = fuzzConsortium();
    const dir = await mkdtemp(join(tmpdir(), 'cordon-fuzz-manifest-'));
    const path = join(dir, 'manifest.json');
    await writeFile(path, JSON.stringify(consortium.document(1)));
    const fileBefore = await readFile(path);
    const trusted = (await Membership.load(path)).manifest;
    const validUpdate = JSON.stringify(consortium.document(2));
    const signedByFounders = (payload: unknown): GeneralJws =>
      (['c1', 'c2'] as const).reduce((doc, id) => addSignature(doc, id, consortium.keys[id].privateKey), { payload: b64(payload), signatures: [] } as GeneralJws);
    const manifestLike = fc.record({ version: fc.oneof(fc.constant(2), hostileJson), threshold: fc.oneof(fc.constantFrom(0, 1, 2, 3), hostileJson), founders: fc.oneof(fc.constant(['c1', 'c2']), hostileJson), policy: hostileJson, members: fc.oneof(fc.constant(consortium.manifest(2).members), hostileJson) }, { requiredKeys: [] })
      .map((over) => ({ ...consortium.manifest(2), ...over }));
    const arbitrary = fc.oneof(
      mutatedText(fc.constant(validUpdate), 4),
      fc.oneof(manifestLike, hostileJson).map((payload) => JSON.stringify(signedByFounders(payload))),
      fc.array(fc.record({ protected: fc.oneof(hostileJson.map(b64), fc.string()), signature: fc.oneof(fc.base64String(), fc.string()) }), { maxLength: 3 })
        .map((extra) => { const doc = consortium.document(2, ['c1']); return JSON.stringify({ ...doc, signatures: [...extra, ...doc.signatures] }); }),
      hostileJson.map((v) => JSON.stringify(v) ?? ''),
    );
    return prepared({
      arbitrary,
      async check(text) {
        // A fresh node per case: a valid update (some generated payloads are one) moves it to a new version for good.
        const membership = await Membership.load(path);
        const outcome = await asyncOutcomeOf(
          async () => membership.update(parseGeneralJws(text, 'fuzz update'), 'fuzz update'),
          { kind: 'cordon', codes: ['INVALID_MANIFEST'] },
          async (adopted) => {
            if (!adopted) return;
            invariant(membership.version > 1, `adopted version ${membership.version}, not newer than 1`);
            invariant(validFounderSignatures(membership.document, trusted).length >= 2, "adopted an update without two valid signatures of the trusted founders");
            await writeFile(path, fileBefore);
          },
        );
        if (outcome !== 'accepted') {
          stateUnchanged(membership.version === 1, `the trusted version is now ${membership.version}`);
          stateUnchanged((await readFile(path)).equals(fileBefore), 'the manifest file on disk changed');
        }
        return outcome;
      },
      async close() {
        await rm(dir, { recursive: true, force: true });
      },
    });
  },
});
