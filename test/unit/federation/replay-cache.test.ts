import { describe, expect, it } from 'vitest';
import { ReplayCache } from '../../../src/federation/auth/replay-cache.js';
import { authorize } from '../../../src/federation/auth/acl.js';

describe('replay cache', () => {
  it('refuses a second use until expiry and forgets expired ids', () => {
    const cache = new ReplayCache();
    expect(cache.remember('a', 1_000, 0)).toBe(true);
    expect(cache.remember('a', 1_000, 500)).toBe(false);
    expect(cache.remember('b', 3_000, 2_000)).toBe(true);
    expect(cache.size).toBe(1); // 'a' swept
    expect(cache.remember('a', 4_000, 2_000)).toBe(true);
  });
});

describe('ACL', () => {
  it('denies every write to the regulator role and on a regulator node', () => {
    for (const rpc of ['cordon.v1.FederationService/Publish', 'cordon.v1.FederationService/UpdateManifest']) {
      expect(authorize(rpc, 'regulator', 'consortium').allowed).toBe(false);
      expect(authorize(rpc, 'consortium', 'regulator').allowed).toBe(false);
      expect(authorize(rpc, 'provider', 'regulator').allowed).toBe(false);
    }
    expect(authorize('cordon.v1.FederationService/GetHeads', 'regulator', 'consortium')).toEqual({ allowed: true, ownOnly: false });
    expect(authorize('cordon.v1.FederationService/GetHeads', 'provider', 'consortium')).toEqual({ allowed: true, ownOnly: true });
    expect(authorize('cordon.v1.FederationService/Nope', 'consortium', 'consortium').allowed).toBe(false);
  });
});
