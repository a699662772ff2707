import { describe, expect, it } from 'vitest';
import { generateNodeKey } from '../../../src/crypto/keys.js';
import { addSignature, unsignedManifest } from '../../../src/federation/membership/manifest-jws.js';
import { Membership } from '../../../src/federation/membership/membership.js';
import { exportDirectory, regulatorData } from '../../../src/regulator/views/regulator-data.js';
import { campaign } from './fixtures.js';

describe('regulator data: what the exports may show', () => {
  const c1 = generateNodeKey().key;
  const member = (id: string, role: 'consortium' | 'provider' | 'regulator', status: 'active' | 'revoked' = 'active') =>
    ({ id, organisation: `Org ${id}`, role, jwk: (id === 'c1' ? c1 : generateNodeKey().key).publicJwk, endpoints: {}, status });
  const membership = Membership.fromDocument(addSignature(unsignedManifest({
    consortium: 'test', version: 1, issued_at: '2026-11-27T00:00:00Z', threshold: 1, founders: ['c1'],
    members: [member('c1', 'consortium'), member('p1', 'provider'), member('p2', 'provider', 'revoked'), member('reg', 'regulator')],
    policy: { regulator_min_providers: 3 },
  }), 'c1', c1.privateKey));

  it('drops campaigns spanning fewer than regulator_min_providers providers, whatever the source returns', async () => {
    const source = { campaigns: async () => [campaign({ id: 'two', provider_count: 2 }), campaign({ id: 'three', provider_count: 3 }), campaign({ id: 'nine', provider_count: 9 })] };
    const data = regulatorData({ sql: undefined as never, membership }, source);
    expect((await data.campaigns()).map((c) => c.id)).toEqual(['three', 'nine']);
  });

  it('names every provider in the manifest, revoked ones too (their reports still refer to them)', () => {
    expect(exportDirectory(membership)).toEqual({
      consortium: 'test', issued_at: '2026-11-27T00:00:00Z',
      providers: [{ id: 'p1', organisation: 'Org p1' }, { id: 'p2', organisation: 'Org p2' }],
    });
  });
});
