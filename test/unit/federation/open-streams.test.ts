import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateNodeKey, type NodeKey } from '../../../src/crypto/keys.js';
import { OpenStreams, type StreamEnd } from '../../../src/federation/grpc/open-streams.js';
import { addSignature, unsignedManifest } from '../../../src/federation/membership/manifest-jws.js';
import { Membership } from '../../../src/federation/membership/membership.js';
import { investigationPolicySchema, matchPolicySchema, type Manifest, type Member } from '../../../src/federation/membership/schema.js';

const keys: Record<string, NodeKey> = Object.fromEntries(['c1', 'p1', 'p2'].map((id) => [id, generateNodeKey().key]));
const member = (id: string, role: Member['role'], over: Partial<Member> = {}): Member => ({
  id, organisation: id, role, jwk: keys[id]!.publicJwk, endpoints: { grpc: '127.0.0.1:1' }, status: 'active', ...over,
});
const manifest = (version: number, members: Member[]): Manifest => ({
  consortium: 'test', version, issued_at: '2026-11-27T00:00:00Z', threshold: 1, founders: ['c1'], members,
  policy: { disclosure: 'count', regulator_min_providers: 2, token_epoch: 1, match: matchPolicySchema.parse({}), token_mode: 'shared-key', oprf_evaluations_per_day: 1_000_000, investigation: investigationPolicySchema.parse({}) },
});
const signed = (m: Manifest) => addSignature(unsignedManifest(m), 'c1', keys.c1!.privateKey);
const everyone = () => [member('c1', 'consortium'), member('p1', 'provider'), member('p2', 'provider')];

const WATCH = 'cordon.v1.AlertService/WatchAlerts';
const CASES = 'cordon.v1.InvestigationService/WatchCases';

function setup(lifetimeMs = 60_000) {
  const membership = Membership.fromDocument(signed(manifest(1, everyone())));
  const streams = new OpenStreams({ membership, nodeRole: 'consortium', lifetimeMs });
  let version = 1;
  const adopt = (change: (members: Member[]) => Member[]) => membership.update(signed(manifest(++version, change(everyone()))));
  const open = (rpc: string, id: string) => {
    const ends: StreamEnd[] = [];
    const release = streams.add(rpc, membership.member(id)!, (why) => ends.push(why));
    return { ends, release };
  };
  return { membership, streams, adopt, open };
}

const refusal = (ends: StreamEnd[]) => ends.map((e) => (e.kind === 'refused' ? [e.error.code, e.error.message] : [e.kind]));

describe('open streams (re-admission on manifest change, lifetime)', () => {
  afterEach(() => vi.useRealTimers());

  it('ends every stream of a revoked member before the update returns, and only those', async () => {
    const { streams, adopt, open } = setup();
    const [a, b, other] = [open(WATCH, 'p1'), open(CASES, 'p1'), open(WATCH, 'p2')];
    expect(streams.open('p1').map((s) => s.rpc)).toEqual([WATCH, CASES]);
    await adopt((ms) => ms.map((m) => (m.id === 'p1' ? { ...m, status: 'revoked' } : m)));
    expect(refusal(a.ends)).toEqual([['PERMISSION_DENIED', `${WATCH}: stream ended: member 'p1' is revoked`]]);
    expect(refusal(b.ends)).toEqual([['PERMISSION_DENIED', `${CASES}: stream ended: member 'p1' is revoked`]]);
    expect(other.ends).toEqual([]);
    expect(streams.open('p1')).toEqual([]);
    expect(streams.open().map((s) => s.callerId)).toEqual(['p2']);
  });

  it('answers a member removed or re-keyed UNAUTHENTICATED, suspended or moved to a role the RPC refuses PERMISSION_DENIED', async () => {
    const cases: [string, (ms: Member[]) => Member[], string, RegExp][] = [
      ['removed', (ms) => ms.filter((m) => m.id !== 'p1'), 'UNAUTHENTICATED', /no longer a member/],
      ['re-keyed', (ms) => ms.map((m) => (m.id === 'p1' ? { ...m, jwk: generateNodeKey().key.publicJwk } : m)), 'UNAUTHENTICATED', /new key/],
      ['suspended', (ms) => ms.map((m) => (m.id === 'p1' ? { ...m, status: 'suspended' } : m)), 'PERMISSION_DENIED', /is suspended/],
      ['now a regulator', (ms) => ms.map((m) => (m.id === 'p1' ? { ...m, role: 'regulator' } : m)), 'PERMISSION_DENIED', /now a regulator/],
    ];
    for (const [what, change, code, message] of cases) {
      const { adopt, open } = setup();
      const s = open(WATCH, 'p1');
      await adopt(change);
      expect(s.ends, what).toHaveLength(1);
      const end = s.ends[0]!;
      expect(end.kind === 'refused' && end.error.code, what).toBe(code);
      expect(end.kind === 'refused' && end.error.message, what).toMatch(message);
    }
  });

  it('leaves streams alone on a manifest change that keeps their callers admitted', async () => {
    const { streams, adopt, open } = setup();
    const s = open(WATCH, 'p1');
    await adopt((ms) => ms.map((m) => (m.id === 'p2' ? { ...m, organisation: 'renamed' } : m)));
    expect(s.ends).toEqual([]);
    expect(streams.open('p1')).toHaveLength(1);
  });

  it('refuses at once a stream whose caller the manifest dropped while the call was being admitted', async () => {
    const { membership, streams, adopt } = setup();
    const admitted = membership.member('p1')!;
    await adopt((ms) => ms.map((m) => (m.id === 'p1' ? { ...m, status: 'revoked' } : m)));
    const ends: StreamEnd[] = [];
    streams.add(WATCH, admitted, (why) => ends.push(why));
    expect(refusal(ends)).toEqual([['PERMISSION_DENIED', `${WATCH}: stream ended: member 'p1' is revoked`]]);
    expect(streams.open()).toEqual([]);
  });

  it('ends a stream at its lifetime (the node\'s, or the RPC\'s own), once, and not after its release', () => {
    vi.useFakeTimers();
    const { membership, streams, open } = setup(1_000);
    const ended: string[] = [];
    streams.onEnded((s, why) => ended.push(`${s.callerId} ${why.kind}`));
    const a = open(WATCH, 'p1');
    const released = open(WATCH, 'p2');
    const ends: StreamEnd[] = [];
    streams.add(CASES, membership.member('p1')!, (why) => ends.push(why), 5_000);
    released.release();
    vi.advanceTimersByTime(999);
    expect(a.ends).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(a.ends).toEqual([{ kind: 'lifetime', lifetimeMs: 1_000 }]);
    expect(released.ends).toEqual([]);
    vi.advanceTimersByTime(5_000);
    expect(ends).toEqual([{ kind: 'lifetime', lifetimeMs: 5_000 }]);
    expect(a.ends).toHaveLength(1);
    expect(ended).toEqual(['p1 lifetime', 'p1 lifetime']);
    expect(streams.open()).toEqual([]);
  });

  it('stops listening to the manifest once closed', async () => {
    const { streams, adopt, open } = setup();
    const s = open(WATCH, 'p1');
    streams.close();
    await adopt((ms) => ms.map((m) => (m.id === 'p1' ? { ...m, status: 'revoked' } : m)));
    expect(s.ends).toEqual([]);
  });
});
