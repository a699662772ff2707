import { fromBinary } from '@bufbuild/protobuf';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PsiMode, SignedPsiSummarySchema } from '../../src/gen/cordon/v1/psi_pb.js';
import { TransparencyLog } from '../../src/audit/transparency-log.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { PSI_SUMMARY_KIND } from '../../src/investigate/psi/audit/record-summary.js';
import { decodeSummary, verifySummarySignature } from '../../src/investigate/psi/protocol/summary.js';
import { cli, createFederation, startInProcess, type Federation } from '../support/federation.js';

/**
 * Two real provider nodes and a consortium node on loopback: the operators'
 * commands (offer, then session), the intersection on both sides, and the
 * signed summary in the consortium node's transparency log.
 */
describe('bilateral PSI between two provider nodes over gRPC', () => {
  let fed: Federation;
  const nodes: Record<string, RunningNode> = {};
  const A = Array.from({ length: 300 }, (_, i) => `acct-${i}@example.com`);
  const B = [...Array.from({ length: 120 }, (_, i) => `acct-${i * 3}@example.com`), ...Array.from({ length: 80 }, (_, i) => `other-${i}@example.org`)];
  const expected = A.filter((a) => B.includes(a)).sort();

  beforeAll(async () => {
    fed = await createFederation([
      { id: 'c1', role: 'consortium' },
      { id: 'pa', role: 'provider' },
      { id: 'pb', role: 'provider' },
    ]);
    for (const id of ['c1', 'pa', 'pb']) nodes[id] = await startInProcess(fed, id);
    await writeFile(join(fed.root, 'a.txt'), `# provider A's accounts\n${A.join('\n')}\n`);
    await writeFile(join(fed.root, 'b.txt'), `${B.map((b) => `  ${b.toUpperCase()}  `).join('\n')}\n\n`);
  });
  afterAll(async () => {
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
  });

  it('mode both: each side learns the intersection, and c1 logs the summary signed by both, without elements', async () => {
    const outA = join(fed.root, 'a-result.txt');
    const outB = join(fed.root, 'b-result.txt');
    const offer = await cli(['psi', '--respond', '--node', fed.dirs.pb!, '--peer', 'pa', '--set', join(fed.root, 'b.txt'), '--kind', 'email', '--mode', 'both', '--out', outB]);
    expect(offer.code, offer.err).toBe(0);

    const run = await cli(['psi', '--node', fed.dirs.pa!, '--peer', 'pb', '--set', join(fed.root, 'a.txt'), '--kind', 'email', '--mode', 'both', '--out', outA]);
    expect(run.code, run.err).toBe(0);
    const lines = async (f: string) => (await readFile(f, 'utf8')).split('\n').filter(Boolean).sort();
    expect(await lines(outA)).toEqual(expected);
    expect(await lines(outB)).toEqual(expected);

    const index = Number(/recorded at c1 \(log index (\d+)\)/.exec(run.err)?.[1]);
    expect(Number.isInteger(index), run.err).toBe(true);
    const leaf = await new TransparencyLog(nodes.c1!.db.sql).entry(index);
    expect(leaf.kind).toBe(PSI_SUMMARY_KIND);
    const signed = fromBinary(SignedPsiSummarySchema, leaf.entry);
    const summary = decodeSummary(signed.summary, 'logged summary');
    expect(summary).toMatchObject({ mode: PsiMode.BOTH, initiatorId: 'pa', responderId: 'pb', initiatorSetSize: 300n, responderSetSize: 200n, elementKind: 'email' });
    expect(leaf.ref).toBe(Buffer.from(summary.sessionId).toString('hex'));
    const membership = nodes.c1!.membership;
    verifySummarySignature(signed.summary, signed.initiatorSignature, 'pa', membership.activeKey('pa')!, 'initiator');
    verifySummarySignature(signed.summary, signed.responderSignature, 'pb', membership.activeKey('pb')!, 'responder');
    const text = Buffer.from(leaf.entry).toString('latin1');
    for (const e of [...A, ...B]) expect(text).not.toContain(e);
  });

  it('the offer is consumed: a second session without a new offer is refused, naming the missing offer', async () => {
    const run = await cli(['psi', '--node', fed.dirs.pa!, '--peer', 'pb', '--set', join(fed.root, 'a.txt'), '--kind', 'email', '--mode', 'both']);
    expect(run.code).not.toBe(0);
    expect(run.err).toMatch(/pb has no PSI offer for pa/);
  });

  it('mode size: the initiator prints only the count; a mode the responder did not offer is refused', async () => {
    let offer = await cli(['psi', '--respond', '--node', fed.dirs.pb!, '--peer', 'pa', '--set', join(fed.root, 'b.txt'), '--kind', 'email', '--mode', 'one']);
    expect(offer.code, offer.err).toBe(0);
    const refused = await cli(['psi', '--node', fed.dirs.pa!, '--peer', 'pb', '--set', join(fed.root, 'a.txt'), '--kind', 'email', '--mode', 'size']);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toMatch(/offered pa mode one, not size/);

    offer = await cli(['psi', '--respond', '--node', fed.dirs.pb!, '--peer', 'pa', '--set', join(fed.root, 'b.txt'), '--kind', 'email', '--mode', 'size']);
    expect(offer.code, offer.err).toBe(0);
    const run = await cli(['psi', '--node', fed.dirs.pa!, '--peer', 'pb', '--set', join(fed.root, 'a.txt'), '--kind', 'email', '--mode', 'size']);
    expect(run.code, run.err).toBe(0);
    expect(run.out.trim()).toBe(String(expected.length));
  });
});
