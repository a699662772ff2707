import { describe, expect, it } from 'vitest';
import { parseGeneralJws, verifyManifest } from '../../src/federation/membership/manifest-jws.js';
import { fuzzConsortium } from '../fuzz/harness/consortium.js';

/**
 * Inputs the fuzz targets found to crash an entry point, kept as plain
 * regression tests so the fix cannot quietly go away.
 */
describe('fuzz regressions', () => {
  it('manifest: a signature whose protected header is JSON null is skipped (was a TypeError in validFounderSignatures)', () => {
    const consortium = fuzzConsortium();
    const doc = consortium.document(1, ['c1', 'c2']);
    const withNull = parseGeneralJws(JSON.stringify({ ...doc, signatures: [{ protected: Buffer.from('null').toString('base64url'), signature: '' }, ...doc.signatures] }), 'm');
    expect(verifyManifest(withNull, 'm').version).toBe(1);
    const onlyNull = { ...withNull, signatures: withNull.signatures.slice(0, 2) };
    expect(() => verifyManifest(onlyNull, 'm')).toThrow(/needs 2 founders' signatures, has 1 valid/);
  });
});
