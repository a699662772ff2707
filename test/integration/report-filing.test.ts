import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenKind } from '../../src/gen/cordon/v1/common_pb.js';
import { PublishRequestSchema } from '../../src/gen/cordon/v1/federation_pb.js';
import {
  FiledReportEntrySchema,
  FileReportRequestSchema,
  RegulatorService,
  ReportIndicatorSchema,
  ReportSchema,
  SignedReportSchema,
  type Report,
} from '../../src/gen/cordon/v1/regulator_pb.js';
import { TransparencyLog, verifyTreeHead } from '../../src/audit/transparency-log.js';
import { verifyInclusion } from '../../src/crypto/merkle/index.js';
import { readNodeKey } from '../../src/crypto/keys.js';
import { CordonError } from '../../src/errors.js';
import { mintCallToken } from '../../src/federation/auth/call-token.js';
import type { Identity } from '../../src/federation/client/peer-client.js';
import { PeerClient } from '../../src/federation/client/peer-client.js';
import { grpcPath } from '../../src/federation/grpc/service-definition.js';
import { Membership } from '../../src/federation/membership/membership.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { buildSignedReport, type ReportDraft } from '../../src/regulator/reports/build-report.js';
import { FILED_REPORT_LEAF_KIND } from '../../src/regulator/reports/record-report.js';
import { RegulatorClient, ReportLogClient } from '../../src/regulator/reports/report-clients.js';
import { signFiling, signReceipt, verifyFiling, verifyReceipt } from '../../src/regulator/reports/signatures.js';
import { hexOf, reportDigest } from '../../src/regulator/reports/statements.js';
import { fileWithRegulator, recordWithConsortium } from '../../src/regulator/reports/submit-report.js';
import { cli, createFederation, eventually, startInProcess, type Federation } from '../support/federation.js';
import { rawUnary } from '../support/raw-call.js';
import { stixSchemas } from '../unit/regulator/stix-schemas.js';

const tok = (n: number): string => n.toString(16).padStart(2, '0').repeat(32);

/**
 * Issue 5 item 4: providers file signed reports with the regulator, get a
 * signed receipt, and the filing enters every consortium node's transparency
 * log — on a real federation (two consortium nodes, two providers, a
 * regulator) over gRPC on loopback, each node on its own database.
 */
describe('filed reports', () => {
  let fed: Federation;
  const nodes: Record<string, RunningNode> = {};
  const ids: Record<string, Identity> = {};
  let membership: Membership;
  const peer = (id: string) => ({ id, address: `127.0.0.1:${fed.ports[id]}` });
  const reportCount = async () => Number((await nodes.reg!.db.sql`SELECT count(*)::int AS n FROM filed_reports`)[0]!.n);
  const logSize = (id: string) => new TransparencyLog(nodes[id]!.db.sql).size();
  const draft = (over: Partial<ReportDraft> = {}): ReportDraft => ({
    providerId: 'p1', campaignRef: 'cmp-7f3a', indicators: [{ kind: 'email', token_hex: tok(0xa1), epoch: 1 }, { kind: 'device', token_hex: tok(0xa2), epoch: 1 }],
    narrative: 'Forty accounts harvested chain-of-thought traces at scale over ten days.', contact: 'Reporting desk, ref R-2291', ...over,
  });

  /** Signs arbitrary report content as `signer`, bypassing the provider-side checks (what a buggy or hostile client could send). */
  function handSigned(report: Partial<Report>, signer = 'p1'): Uint8Array {
    const bytes = toBinary(ReportSchema, create(ReportSchema, {
      providerId: 'p1', campaignRef: 'cmp-x', narrative: 'Bursts.', contact: 'desk', createdMs: BigInt(Date.now()),
      indicators: [create(ReportIndicatorSchema, { kind: TokenKind.EMAIL, token: Buffer.from(tok(0xe1), 'hex'), epoch: 1 })], ...report,
    }));
    const signature = signFiling(ids[signer]!.key, report.providerId ?? 'p1', reportDigest(bytes));
    return toBinary(FileReportRequestSchema, create(FileReportRequestSchema, { report: create(SignedReportSchema, { report: bytes, signature }) }));
  }
  const FILE = grpcPath(RegulatorService, 'FileReport');
  const fileRaw = (request: Uint8Array, as = 'p1') => rawUnary(peer('reg').address, FILE, request, mintCallToken(as, ids[as]!.key, 'reg'));

  beforeAll(async () => {
    fed = await createFederation([
      { id: 'c1', role: 'consortium' }, { id: 'c2', role: 'consortium' },
      { id: 'p1', role: 'provider' }, { id: 'p2', role: 'provider' }, { id: 'reg', role: 'regulator' },
    ]);
    for (const id of ['c1', 'c2', 'reg']) nodes[id] = await startInProcess(fed, id);
    for (const id of Object.keys(fed.dirs)) ids[id] = { id, key: (await readNodeKey(join(fed.dirs[id]!, 'key.jwk'))).privateKey };
    membership = await Membership.load(fed.manifest);
  });
  afterAll(async () => {
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
  });

  it('a provider files with `cordon report file`, verifies the receipt, and every consortium node logs the filing', async () => {
    const indicators = join(fed.root, 'tokens.jsonl');
    await writeFile(indicators, [0xb1, 0xb2, 0xb3].map((n) => JSON.stringify({ kind: 'email', value: tok(n), epoch: 1 })).join('\n') + '\n');
    const r = await cli(['report', 'file', '--node', fed.dirs.p1!, '--campaign', 'cmp-0001', '--indicators', indicators,
      '--narrative', 'Synchronised accounts replayed one prompt template 40,000 times in a week.', '--contact', 'soc desk, ref 17', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { report_id: string; regulator: string; received_at: string; logged: { node: string; leaf_index: number }[] };
    expect(out.report_id).toMatch(/^[0-9a-f]{64}$/);
    expect(out.regulator).toBe('reg');
    expect(out.logged.map((l) => l.node).sort()).toEqual(['c1', 'c2']);

    // The regulator holds the exact bytes with its receipt; the provider keeps the same as proof.
    const [held] = await nodes.reg!.db.sql<{ report: Uint8Array; provider_signature: string; received_ms: bigint; receipt_signature: string }[]>`
      SELECT report, provider_signature, received_ms, receipt_signature FROM filed_reports WHERE digest = ${Buffer.from(out.report_id, 'hex')}`;
    expect(held).toBeDefined();
    expect(hexOf(reportDigest(held!.report))).toBe(out.report_id);
    expect(new Date(Number(held!.received_ms)).toISOString()).toBe(out.received_at);

    // Each consortium node's log has a 'filed_report' leaf carrying both signatures over the digest, not the content.
    for (const l of out.logged) {
      const leaf = await new TransparencyLog(nodes[l.node]!.db.sql).entry(l.leaf_index);
      expect(leaf.kind).toBe(FILED_REPORT_LEAF_KIND);
      expect(leaf.ref).toBe(out.report_id);
      const entry = fromBinary(FiledReportEntrySchema, leaf.entry);
      expect(hexOf(entry.reportDigest)).toBe(out.report_id);
      expect(entry.providerId).toBe('p1');
      expect(() => verifyFiling(membership, 'p1', entry.reportDigest, entry.providerSignature)).not.toThrow();
      expect(() => verifyReceipt(membership, entry.reportDigest, entry.receipt!)).not.toThrow();
      expect(entry.receipt!.signature).toBe(held!.receipt_signature);
      expect(Buffer.from(leaf.leaf).toString('latin1')).not.toContain('Synchronised'); // the narrative stays with the regulator
      // …and a tree head the node signed covers it, with an inclusion proof that verifies.
      const log = new TransparencyLog(nodes[l.node]!.db.sql);
      const head = await eventually(async () => {
        const h = await log.latestTreeHead();
        return h && h.size > l.leaf_index ? h : undefined;
      }, 10_000, `a signed head of ${l.node} covering leaf ${l.leaf_index}`);
      verifyTreeHead(head, nodes[l.node]!.key.publicKey);
      verifyInclusion(leaf.leafHash, l.leaf_index, head.size, await log.inclusionProof(l.leaf_index, head.size), head.root);
    }

    // The regulator reads it back with list/show (signatures verified client-side).
    const list = await cli(['report', 'list', '--node', fed.dirs.reg!, '--json']);
    expect(list.code).toBe(0);
    const views = list.out.trim().split('\n').map((l) => JSON.parse(l) as { id: string; provider: string; indicators: unknown[]; contact: string });
    expect(views.find((v) => v.id === out.report_id)).toMatchObject({ provider: 'p1', indicators: expect.arrayContaining([{ kind: 'email', token_hex: tok(0xb1), epoch: 1 }]) });
    // The provider can have the filing logged again (a retry after an unreachable node): the original leaves answer.
    const again = await cli(['report', 'record', '--node', fed.dirs.p1!, out.report_id.slice(0, 16)]);
    expect(again.code).toBe(0);
    for (const l of out.logged) expect(again.out).toContain(`${l.node}: logged at leaf ${l.leaf_index} (already logged)`);

    const show = await cli(['report', 'show', '--node', fed.dirs.reg!, out.report_id.slice(0, 12)]);
    expect(show.code).toBe(0);
    expect(show.out).toContain(`report ${out.report_id}`);
    expect(show.out).toContain('provider:   p1 (signature verified)');
    expect(show.out).toContain('(receipt verified)');
    expect(show.out).toContain('40,000 times');
  });

  it('checks the command line before anything is filed', async () => {
    const before = await reportCount();
    const base = ['report', 'file', '--node', fed.dirs.p1!, '--campaign', 'c', '--indicators', join(fed.root, 'missing.jsonl')];
    const cases: [string[], RegExp][] = [
      [[...base, '--narrative', 'x'], /--contact is required/],
      [[...base, '--contact', 'd'], /give exactly one of --narrative and --narrative-file/],
      [[...base, '--contact', 'd', '--narrative', 'x', '--narrative-file', 'f'], /give exactly one of --narrative and --narrative-file/],
      [[...base, '--contact', 'd', '--narrative', 'x'], /indicators file .*missing\.jsonl: does not exist/],
      [['report', 'file', '--node', fed.dirs.reg!, '--campaign', 'c', '--indicators', 'f', '--contact', 'd', '--narrative', 'x'], /node 'reg' is a regulator; this runs on a provider node/],
      [['report', 'show', '--node', fed.dirs.reg!], /needs exactly one report ID/],
      [['report', 'list', '--node', fed.dirs.reg!, '--since', 'last week'], /--since must be an ISO 8601 time/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(message);
    }
    expect(await reportCount()).toBe(before);
  });

  it('is idempotent: refiling the same bytes answers the original receipt, and re-recording the original leaf', async () => {
    const built = buildSignedReport(draft({ campaignRef: 'cmp-idem' }), ids.p1!.key);
    const before = await reportCount();
    const first = await fileWithRegulator(ids.p1!, membership, peer('reg'), built);
    const again = await fileWithRegulator(ids.p1!, membership, peer('reg'), built);
    expect(first.duplicate).toBe(false);
    expect(again.duplicate).toBe(true);
    expect(again.receipt.signature).toBe(first.receipt.signature);
    expect(again.receipt.receivedMs).toBe(first.receipt.receivedMs);
    expect(await reportCount()).toBe(before + 1);

    const sizes = [await logSize('c1'), await logSize('c2')];
    const rec1 = await recordWithConsortium(ids.p1!, membership, first.entry);
    const rec2 = await recordWithConsortium(ids.p1!, membership, again.entry);
    expect(rec1.every((r) => r.error === undefined && r.duplicate === false)).toBe(true);
    expect(rec2.map((r) => [r.node, r.leafIndex, r.duplicate])).toEqual(rec1.map((r) => [r.node, r.leafIndex, true]));
    expect([await logSize('c1'), await logSize('c2')]).toEqual(sizes.map((s) => s + 1));
  });

  it('refuses a narrative with raw customer data — on the provider before signing, and at the regulator (canary)', async () => {
    const before = await reportCount();
    const indicators = join(fed.root, 'one.jsonl');
    await writeFile(indicators, JSON.stringify({ kind: 'email', value: tok(0xc1), epoch: 1 }) + '\n');
    const r = await cli(['report', 'file', '--node', fed.dirs.p1!, '--campaign', 'cmp-1', '--indicators', indicators,
      '--narrative', 'The ring signed up as jane.doe@example.com and friends.', '--contact', 'desk']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/report narrative: looks like it contains a raw email address \(at character 22\); a report must not carry raw customer data/);
    expect(r.err).not.toContain('jane');

    // A client that skips the check is stopped at the regulator, and nothing is stored.
    for (const [narrative, kind] of [['Callback number +44 20 7946 0958.', 'phone number'], ['Egress from 198.51.100.23 only.', 'IPv4 address'], ['Card 4111 1111 1111 1111 reused.', 'payment card number']]) {
      const res = await fileRaw(handSigned({ narrative }));
      expect(res.code).toBe(status.INVALID_ARGUMENT);
      expect(res.details).toMatch(new RegExp(`^report narrative: looks like it contains a raw ${kind}`));
    }
    expect(await reportCount()).toBe(before);
  });

  it('validates filings at the boundary with precise errors, and stores nothing invalid', async () => {
    const before = await reportCount();
    const cases: [string, Uint8Array, number, RegExp][] = [
      ['a short token', handSigned({ indicators: [create(ReportIndicatorSchema, { kind: TokenKind.EMAIL, token: Buffer.from('alice@example.com'), epoch: 1 })] }), status.INVALID_ARGUMENT, /^report indicators\[0\]\.token: must be 32 bytes \(a keyed token\), got 17$/],
      ['no indicators', handSigned({ indicators: [] }), status.INVALID_ARGUMENT, /^report indicators: at least one token is required$/],
      ['no contact', handSigned({ contact: '' }), status.INVALID_ARGUMENT, /^report contact: is required$/],
      ['no campaign', handSigned({ campaignRef: '' }), status.INVALID_ARGUMENT, /^report campaign_ref: is required$/],
      ['a stale report', handSigned({ createdMs: BigInt(Date.now() - 3_600_000) }), status.INVALID_ARGUMENT, /^report created_ms: is 36\d\d s behind the regulator's clock/],
      ['an oversized narrative', handSigned({ narrative: 'x'.repeat(70_000) }), status.INVALID_ARGUMENT, /^report bytes: \d+ bytes exceeds the 65536-byte limit$/],
      ['garbage bytes', toBinary(FileReportRequestSchema, create(FileReportRequestSchema, { report: create(SignedReportSchema, { report: Uint8Array.from([0xff, 0xff]), signature: 'x' }) })), status.INVALID_ARGUMENT, /^report bytes: not a cordon.v1.Report/],
      ['no report', new Uint8Array(), status.INVALID_ARGUMENT, /^FileReport: report is missing$/],
      ["another provider's key", handSigned({}, 'p2'), status.INVALID_ARGUMENT, /^report signature: does not verify against p1's key over the report digest$/],
    ];
    for (const [name, request, code, details] of cases) {
      const res = await fileRaw(request);
      expect(res.code, name).toBe(code);
      expect(res.details, name).toMatch(details);
    }
    // A provider cannot file in another provider's name, even with a valid signature of that provider's bytes.
    const forP1 = await fileRaw(handSigned({}), 'p2');
    expect(forP1.code).toBe(status.PERMISSION_DENIED);
    expect(forP1.details).toMatch(/^FileReport: p2 may file only its own reports, not one by 'p1'$/);
    expect(await reportCount()).toBe(before);
  });

  it('the regulator cannot write: not into its own inbox, not into consortium logs, not into chains; consortium nodes cannot file', async () => {
    const built = buildSignedReport(draft({ providerId: 'reg' }), ids.reg!.key);
    const asReg = new RegulatorClient(ids.reg!, peer('reg'));
    await expect(asReg.fileReport(built.signed)).rejects.toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringMatching(/RegulatorService\/FileReport writes, and the regulator writes nothing into the federation/) });
    asReg.close();

    const filed = await fileWithRegulator(ids.p1!, membership, peer('reg'), buildSignedReport(draft({ campaignRef: 'cmp-reg-w' }), ids.p1!.key));
    const sizes = [await logSize('c1'), await logSize('c2')];
    for (const c of ['c1', 'c2']) {
      const logAsReg = new ReportLogClient(ids.reg!, peer(c));
      await expect(logAsReg.recordReport(create(FiledReportEntrySchema, { ...filed.entry, providerId: 'reg' }))).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
      logAsReg.close();
      const chainAsReg = new PeerClient(ids.reg!, peer(c));
      await expect(chainAsReg.publish(create(PublishRequestSchema, {}).batch!)).rejects.toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringMatching(/writes nothing into the federation|may not call/) });
      chainAsReg.close();
    }
    expect([await logSize('c1'), await logSize('c2')]).toEqual(sizes);

    const asConsortium = new RegulatorClient(ids.c1!, peer('reg'));
    await expect(asConsortium.fileReport(built.signed)).rejects.toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringMatching(/role consortium may not call cordon.v1.RegulatorService\/FileReport/) });
    asConsortium.close();
  });

  it('consortium nodes log only filings whose two signatures verify, and only for the provider itself', async () => {
    const filed = await fileWithRegulator(ids.p1!, membership, peer('reg'), buildSignedReport(draft({ campaignRef: 'cmp-forge' }), ids.p1!.key));
    const sizes = [await logSize('c1'), await logSize('c2')];
    const log = new ReportLogClient(ids.p1!, peer('c1'));
    const receipt = filed.entry.receipt!;
    // INVALID_SIGNATURE travels as INVALID_ARGUMENT, which a client reads back as INVALID_INPUT.
    const forged: [string, ReturnType<typeof create<typeof FiledReportEntrySchema>>, string, RegExp][] = [
      ['a receipt with a changed time', create(FiledReportEntrySchema, { ...filed.entry, receipt: { ...receipt, receivedMs: receipt.receivedMs + 1000n } }), 'INVALID_INPUT', /report receipt: does not verify against reg's key/],
      ['a receipt signed by a consortium node', create(FiledReportEntrySchema, { ...filed.entry, receipt: signReceipt(ids.c2!.key, 'c2', filed.entry.reportDigest, receipt.receivedMs) }), 'PERMISSION_DENIED', /report receipt: 'c2' is a consortium, not a regulator/],
      ['no receipt', create(FiledReportEntrySchema, { providerId: 'p1', reportDigest: filed.entry.reportDigest, providerSignature: filed.entry.providerSignature }), 'INVALID_INPUT', /the regulator's receipt is missing/],
      ['a digest the provider never signed', create(FiledReportEntrySchema, { ...filed.entry, reportDigest: reportDigest(Uint8Array.from([1])) }), 'INVALID_INPUT', /report signature: does not verify against p1's key/],
    ];
    for (const [name, entry, code, message] of forged) {
      const err = await log.recordReport(entry).then(() => undefined, (e: unknown) => e);
      expect(err, name).toBeInstanceOf(CordonError);
      expect((err as CordonError).code, name).toBe(code);
      expect((err as CordonError).message, name).toMatch(message);
    }
    log.close();
    const asP2 = new ReportLogClient(ids.p2!, peer('c1'));
    await expect(asP2.recordReport(filed.entry)).rejects.toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringMatching(/p2 may record only its own reports, not one by 'p1'/) });
    asP2.close();
    expect([await logSize('c1'), await logSize('c2')]).toEqual(sizes);
  });

  it('a provider reads only its own reports from the regulator', async () => {
    const mine = await fileWithRegulator(ids.p2!, membership, peer('reg'), buildSignedReport(draft({ providerId: 'p2', campaignRef: 'cmp-p2' }), ids.p2!.key));
    const p1Report = (await nodes.reg!.db.sql<{ digest: Uint8Array }[]>`SELECT digest FROM filed_reports WHERE provider_id = 'p1' LIMIT 1`)[0]!;
    const asP2 = new RegulatorClient(ids.p2!, peer('reg'));
    try {
      await expect(asP2.getReport(hexOf(p1Report.digest))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(asP2.listReports({ providerId: 'p1' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringMatching(/p2 may read only its own reports/) });
      const own = await asP2.listReports();
      expect(own.reports.map((r) => hexOf(reportDigest(r.report!.report)))).toEqual([hexOf(mine.entry.reportDigest)]);
      await expect(asP2.getReport('abc')).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/report_id must be the report digest in hex, or at least 12/) });
    } finally {
      asP2.close();
    }
    // The regulator pages through everything.
    const asReg = new RegulatorClient(ids.reg!, peer('reg'));
    try {
      const total = await reportCount();
      const seen: string[] = [];
      let pageToken = '';
      do {
        const page = await asReg.listReports({ pageSize: 2, pageToken });
        expect(page.reports.length).toBeLessThanOrEqual(2);
        seen.push(...page.reports.map((r) => hexOf(reportDigest(r.report!.report))));
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(seen).toHaveLength(total);
      expect(new Set(seen).size).toBe(total);
      await expect(asReg.listReports({ pageToken: 'bogus' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/page_token is not one this node issued/) });
    } finally {
      asReg.close();
    }
  });

  it('exports what the regulator holds: a STIX bundle valid against the OASIS schemas, and a MISP feed', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'cordon-export-')), 'bundle.json');
    const stix = await cli(['export', 'stix', '--node', fed.dirs.reg!, '--out', out]);
    expect(stix.code).toBe(0);
    expect(stix.out).toMatch(/wrote .*bundle\.json: \d+ objects \(.*report.*\)/);
    const bundle = JSON.parse(await readFile(out, 'utf8')) as { type: string; objects: { type: string; x_cordon_report_id?: string }[] };
    stixSchemas().expectValidBundle(bundle);
    expect(bundle.objects.filter((o) => o.type === 'report')).toHaveLength(await reportCount());

    const dir = await mkdtemp(join(tmpdir(), 'cordon-misp-'));
    const misp = await cli(['export', 'misp', '--node', fed.dirs.reg!, '--out', dir]);
    expect(misp.code).toBe(0);
    const files = await readdir(dir);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(manifest)).toHaveLength(await reportCount());
    for (const uuid of Object.keys(manifest)) expect(files).toContain(`${uuid}.json`);

    const wrongRole = await cli(['export', 'stix', '--node', fed.dirs.p1!]);
    expect(wrongRole.code).toBe(2);
    expect(wrongRole.err).toMatch(/node 'p1' is a provider; exports run on the regulator's node/);
  });
});
