import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertKind, type Alert } from '../../src/gen/cordon/v1/alerts_pb.js';
import { TokenKind } from '../../src/gen/cordon/v1/common_pb.js';
import { loadConsortiumSecret } from '../../src/crypto/consortium-secret.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { signFeedback } from '../../src/match/feedback.js';
import { cli, createFederation, eventually, startInProcess, type Federation } from '../support/federation.js';
import { account, matchingHelpers } from '../support/matching.js';

/**
 * Alert ids must not undo 'count' disclosure. A provider holds everything it
 * legitimately sees — its alerts, its records, the shared token, the overlap
 * id, the consortium secret and the member list — and tries every member as
 * the withheld counterpart (or feedback sender) under every formula it could
 * compute: the old unkeyed one and keyed ones under what it holds. None may
 * give its alert's id; yet both consortium nodes name each alert alike.
 */
const ID_HEX = 32;
const sha = (label: string, parts: readonly string[]) => createHash('sha256').update(`${label}\x1f${parts.join('\x1f')}`).digest('hex').slice(0, ID_HEX);
const mac = (key: Uint8Array, label: string, parts: readonly string[]) => createHmac('sha256', key).update(`${label}\x1f${parts.join('\x1f')}`).digest('hex').slice(0, ID_HEX);

/** Every id a provider could compute for `kind` with these facts from public formulas and the keys it holds. */
function candidateIds(kind: string, parts: readonly string[], providerKeys: readonly Uint8Array[]): Set<string> {
  const labels = [`cordon/alert/${kind}/v1`, `cordon/alert/${kind}/v2`];
  const out = new Set<string>();
  for (const label of labels) {
    out.add(`al-${sha(label, parts)}`);
    for (const key of providerKeys) out.add(`al-${mac(key, label, parts)}`);
  }
  return out;
}

describe("alert ids under 'count' disclosure", () => {
  let fed: Federation;
  const nodes: Record<string, RunningNode> = {};
  let h: ReturnType<typeof matchingHelpers>;
  const shared = randomBytes(32);

  beforeAll(async () => {
    fed = await createFederation([
      { id: 'c1', role: 'consortium' }, { id: 'c2', role: 'consortium' },
      { id: 'p1', role: 'provider' }, { id: 'p2', role: 'provider' }, { id: 'p3', role: 'provider' }, { id: 'reg', role: 'regulator' },
    ], { policy: { disclosure: 'count' } });
    for (const id of ['c1', 'c2', 'reg']) nodes[id] = await startInProcess(fed, id);
    nodes.p1 = await startInProcess(fed, 'p1', { publish_to: ['c1'], replication_interval_ms: 60_000 });
    nodes.p2 = await startInProcess(fed, 'p2', { publish_to: ['c2'], replication_interval_ms: 60_000 });
    nodes.p3 = await startInProcess(fed, 'p3', { replication_interval_ms: 60_000 });
    h = matchingHelpers(fed, nodes);
    await h.publish('p1', [account('a-1', [[TokenKind.PAYMENT, shared]])]);
    await h.publish('p2', [account('b-1', [[TokenKind.PAYMENT, shared]])]);
  }, 120_000);

  afterAll(async () => {
    h?.close();
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
  });

  /** p1's alerts of `kind`, equal (ids included) on both consortium nodes. */
  const onBoth = (kind: AlertKind, n = 1) =>
    eventually(async () => {
      const [a, b] = [(await h.backlog('p1', 'c1')).filter((x) => x.kind === kind), (await h.backlog('p1', 'c2')).filter((x) => x.kind === kind)];
      return a.length >= n && b.length >= n && a;
    }, 20_000, `p1 ${AlertKind[kind]} alerts on c1 and c2`);

  /** What p1 legitimately holds that could key a formula: the consortium secret and keys one might derive from it, its token. */
  async function providerKeys(token: Uint8Array): Promise<Uint8Array[]> {
    const { secret } = await loadConsortiumSecret(fed.dirs.p1!, { memberId: 'p1' });
    const derived = [['cordon/alert-id-key/v1', 'cordon alert id v1'], ['cordon/consortium-secret/v1', 'cordon alert id v1']]
      .map(([salt, info]) => new Uint8Array(hkdfSync('sha256', secret, salt!, info!, 32)));
    return [secret, ...derived, token];
  }

  it('names the same overlap alike on both consortium nodes, and the provider cannot recompute it for any counterpart', async () => {
    const [fromC1] = await onBoth(AlertKind.OVERLAP);
    const alert = fromC1!;
    const fromC2 = (await h.backlog('p1', 'c2')).find((a) => a.kind === AlertKind.OVERLAP)!;
    expect(fromC2.id).toBe(alert.id);
    // The regulator matches its replica under the same key (it serves no alerts, but names them alike).
    await eventually(async () => (await nodes.reg!.db.sql`SELECT 1 FROM alerts WHERE alert_id = ${alert.id} AND recipient = 'p1'`).length === 1, 20_000, 'regulator names the alert alike');
    // 'count' disclosure: nothing in the alert names the other provider.
    expect(alert.otherProviders).toEqual([]);
    expect(alert.otherProviderCount).toBe(1);

    const members = nodes.p1!.membership.manifest.members.map((m) => m.id);
    const keys = await providerKeys(alert.token);
    for (const m of members) {
      const tried = candidateIds('overlap', ['p1', alert.overlapId, m], keys);
      expect(tried.has(alert.id), `p1 recovers its counterpart '${m}' from the alert id`).toBe(false);
    }
  });

  it('hides the sender of feedback from the alert id, while both nodes name it alike', async () => {
    const [overlap] = await onBoth(AlertKind.OVERLAP);
    const jws = await signFeedback({ overlap_id: overlap!.overlapId, verdict: 'false_positive' }, { id: 'p2', key: nodes.p2!.key.privateKey });
    // A provider watching both nodes sends its verdict to both.
    for (const node of ['c1', 'c2']) await h.alertClient('p2', node).submitFeedback(jws);
    const [fb] = await onBoth(AlertKind.FEEDBACK);
    const fbC2 = (await h.backlog('p1', 'c2')).find((a) => a.kind === AlertKind.FEEDBACK)!;
    expect(fbC2.id).toBe(fb!.id);
    expect(fb!.feedbackFrom).toBe('');

    const members = nodes.p1!.membership.manifest.members.map((m) => m.id);
    const keys = await providerKeys(overlap!.token);
    for (const m of members) {
      for (const verdict of ['confirmed', 'false_positive']) {
        expect(candidateIds('feedback', ['p1', fb!.overlapId, m, verdict], keys).has(fb!.id), `p1 recovers the feedback's sender '${m}'`).toBe(false);
      }
    }
  });

  it('gives growth and withdrawal alerts ids the provider cannot recompute either', async () => {
    await h.publish('p3', [account('c-1', [[TokenKind.PAYMENT, shared]])]);
    const growth: Alert = (await onBoth(AlertKind.CAMPAIGN_GROWTH))[0]!;
    const keys = await providerKeys(shared);
    expect(candidateIds('campaign_growth', ['p1', growth.campaignId, growth.milestone], keys).has(growth.id)).toBe(false);
    await h.publish('p1', [], ['a-1']);
    const withdrawal: Alert = (await onBoth(AlertKind.WITHDRAWAL))[0]!;
    expect(candidateIds('withdrawal', ['p1', withdrawal.withdrawnAlertId], keys).has(withdrawal.id)).toBe(false);
  });

  it('refuses to start a consortium node without the alert-id key, naming the commands that install it', async () => {
    const file = join(fed.dirs.c2!, 'alert-id-key.jwe');
    await nodes.c2!.stop();
    delete nodes.c2;
    await rename(file, `${file}.away`);
    try {
      await expect(startInProcess(fed, 'c2')).rejects.toMatchObject({
        code: 'INVALID_CONFIG',
        message: expect.stringMatching(/alert-id-key\.jwe: does not exist .*cordon consortium issue-alert-key .*cordon alert-key install --node /),
      });
    } finally {
      await rename(`${file}.away`, file);
    }
    nodes.c2 = await startInProcess(fed, 'c2');
  });

  it('issues and installs the alert-id key for consortium and regulator nodes only', async () => {
    const out = join(fed.root, 'alert-keys-again');
    let r = await cli(['consortium', 'issue-alert-key', '--recipient', `p1=${join(fed.dirs.p1!, 'enc.pub.jwk')}`, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--manifest is required/);
    r = await cli(['consortium', 'issue-alert-key', '--manifest', fed.manifest, '--recipient', `p1=${join(fed.dirs.p1!, 'enc.pub.jwk')}`, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--recipient p1: is a provider; only consortium and regulator nodes may hold the alert-id key/);
    r = await cli(['consortium', 'issue-alert-key', '--manifest', fed.manifest, '--roles', 'provider', '--out', out]);
    expect(r.code).toBe(2);
    // The key issued by the harness, handed to a provider node: refused before it is even decrypted.
    r = await cli(['alert-key', 'install', '--node', fed.dirs.p1!, join(fed.root, 'alert-keys', 'c1.alert-id-key.jwe')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/'p1' is a provider node; only consortium and regulator nodes may hold the alert-id key/);
    // A consortium secret is no alert-id key (own typ), nor the reverse.
    r = await cli(['alert-key', 'install', '--node', fed.dirs.c1!, join(fed.root, 'secrets', 'p1.secret.jwe')]);
    expect(r.err).toMatch(/not a Cordon alert-id key/);
    // Re-issued from c1 (to add a matching node), it is the same key: installing it again changes nothing.
    r = await cli(['consortium', 'issue-alert-key', '--manifest', fed.manifest, '--from', fed.dirs.c1!, '--out', out]);
    expect(r.code, r.err).toBe(0);
    r = await cli(['alert-key', 'install', '--node', fed.dirs.c2!, join(out, 'c2.alert-id-key.jwe')]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/already installed/);
  });
});
