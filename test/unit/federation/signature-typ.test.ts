import { create, toBinary } from '@bufbuild/protobuf';
import { sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signDetached } from '../../../src/crypto/detached-jws.js';
import { verifySignedBatch } from '../../../src/federation/chain/accept-batch.js';
import { BATCH_SIGNATURE_TYP } from '../../../src/federation/chain/digest.js';
import { unsignedManifest, validFounderSignatures } from '../../../src/federation/membership/manifest-jws.js';
import type { GeneralJws } from '../../../src/federation/membership/schema.js';
import { BatchSchema } from '../../../src/gen/cordon/v1/common_pb.js';
import { fuzzConsortium } from '../../fuzz/harness/consortium.js';
import { makeRecords } from '../../support/records.js';

/** Signatures of one kind of statement never verify as another (the JWS typ is part of what is signed and checked). */
describe('signature typ', () => {
  const consortium = fuzzConsortium();
  const membership = consortium.membership();

  it('refuses a batch whose signature is valid over its bytes but made for another protocol', () => {
    const now = Date.now();
    const bytes = toBinary(BatchSchema, create(BatchSchema, { providerId: 'p1', seq: 1n, prevDigest: new Uint8Array(32), createdMs: BigInt(now), records: makeRecords(1, 'r', 1, now) }));
    const key = consortium.keys.p1.privateKey;
    expect(verifySignedBatch({ batch: bytes, signature: signDetached(bytes, key, 'p1', BATCH_SIGNATURE_TYP) }, membership, { checkSkew: false }).batch.recordIds).toEqual(['r-0']);
    for (const typ of ['cordon-report+jws', 'cordon-psi-summary', undefined]) {
      expect(() => verifySignedBatch({ batch: bytes, signature: signDetached(bytes, key, 'p1', typ) }, membership, { checkSkew: false }))
        .toThrow(expect.objectContaining({ code: 'INVALID_SIGNATURE', message: expect.stringContaining(`typ must be ${BATCH_SIGNATURE_TYP}`) }));
    }
  });

  it('counts a founder signature on a manifest only with the manifest typ', () => {
    const doc = unsignedManifest(consortium.manifest(2));
    const signWith = (typ: string | undefined): GeneralJws['signatures'][number] => {
      const protectedB64 = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: 'c1', ...(typ ? { typ } : {}) })).toString('base64url');
      return { protected: protectedB64, signature: sign(null, Buffer.from(`${protectedB64}.${doc.payload}`), consortium.keys.c1.privateKey).toString('base64url') };
    };
    expect(validFounderSignatures({ ...doc, signatures: [signWith('cordon-manifest+jws')] }, membership.manifest)).toEqual(['c1']);
    for (const typ of ['cordon-call+jwt', 'cordon-batch+jws', undefined]) {
      expect(validFounderSignatures({ ...doc, signatures: [signWith(typ)] }, membership.manifest)).toEqual([]);
    }
  });
});
