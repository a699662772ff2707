import { create } from '@bufbuild/protobuf';
import { readFile } from 'node:fs/promises';
import { FiledReportEntrySchema } from '../../gen/cordon/v1/regulator_pb.js';
import type { ResolvedConfig } from '../../config/schema.js';
import { readNodeKey } from '../../crypto/keys.js';
import { CordonError, fileProblem } from '../../errors.js';
import type { Identity, Peer } from '../../federation/client/peer-client.js';
import { Membership } from '../../federation/membership/membership.js';
import { buildSignedReport } from '../../regulator/reports/build-report.js';
import { readIndicatorsFile } from '../../regulator/reports/indicators-file.js';
import { receiptOf } from '../../regulator/reports/receipt-of.js';
import { RegulatorClient } from '../../regulator/reports/report-clients.js';
import { findFiledReports } from '../../regulator/reports/report-store.js';
import { hexOf } from '../../regulator/reports/statements.js';
import { fileWithRegulator, keepFiled, recordWithConsortium, regulatorPeer, type Recorded } from '../../regulator/reports/submit-report.js';
import { verifyFiledReport } from '../../regulator/reports/verify-filed.js';
import type { ReportView } from '../../regulator/views/report-view.js';
import { isoFromMs } from '../../regulator/views/timestamps.js';
import { openNodeDatabase } from '../../store/database.js';
import { integerOption, loadNodeConfig, parseCommandArgs, requireOption, type Command, type CommandIO } from '../command.js';

/** `cordon report file | record | list | show`: reports of suspected distillation, filed to the regulator. */

async function identity(config: ResolvedConfig): Promise<{ self: Identity; membership: Membership }> {
  const key = await readNodeKey(config.key_file);
  return { self: { id: config.id, key: key.privateKey }, membership: await Membership.load(config.manifest_file) };
}

function requireRole(config: ResolvedConfig, command: string, roles: readonly string[]): void {
  if (!roles.includes(config.role)) throw new CordonError('INVALID_INPUT', `cordon ${command}: node '${config.id}' is a ${config.role}; this runs on a ${roles.join(' or ')} node`);
}

/** The regulator a node reads reports from: itself on a regulator node, the manifest's regulator on a provider's. */
function readTarget(config: ResolvedConfig, membership: Membership, regulator?: string): Peer {
  if (config.role !== 'regulator') return regulatorPeer(membership, regulator);
  const advertised = membership.member(config.id)?.endpoints.grpc;
  return { id: config.id, address: advertised ?? config.listen.replace(/^0\.0\.0\.0:/, '127.0.0.1:') };
}

function printRecorded(io: CommandIO, recorded: Recorded[]): number {
  for (const r of recorded) {
    io.out(r.error ? `  ${r.node}: NOT logged (${r.error})` : `  ${r.node}: logged at leaf ${r.leafIndex}${r.duplicate ? ' (already logged)' : ''}`);
  }
  return recorded.filter((r) => r.error).length;
}

export const reportFile: Command = {
  name: 'report file',
  summary: 'file a signed report of suspected distillation with the regulator (provider)',
  help: `Usage: cordon report file --campaign REF --indicators FILE (--narrative TEXT | --narrative-file F) --contact C
                          [--regulator ID] [--node DIR] [--json]

Builds a report, signs it with this provider's key, files it with the regulator and checks the
regulator's signed receipt (its Ed25519 signature over the report digest and the time received).
Report and receipt are kept in this node's database as proof. Then every consortium node is
asked to log the filing in its transparency log: they see the digest and both signatures, not
the report's content.

Options:
  --campaign REF       the campaign the report is about (an id from an alert, or your own case
                       reference; 1–128 chars of A-Z a-z 0-9 . _ : -)
  --indicators FILE    the tokens involved, one JSON object per line (or a JSON array):
                         {"kind":"email","value":"<64 hex>","epoch":3}
                       tokens only, as published; never raw identifiers
  --narrative TEXT     what you observed, in your own words (at most 10,000 characters), or
  --narrative-file F   the narrative read from a file
                       The narrative must not contain raw customer data: refer to accounts by
                       their tokens. Text that looks like an email address, phone number, IP
                       address or card number is refused before anything is signed.
  --contact C          how the regulator reaches your reporting staff (one line)
  --regulator ID       which regulator, when the manifest lists several
  --json               print the receipt and log leaves as JSON

Exit 0 when filed and logged by every consortium node; 1 when some consortium node could not
log it (retry with cordon report record ID); 2 on invalid input (nothing is filed).

Example:
  cordon report file --node ./alpha --campaign cmp-7f3a --indicators tokens.jsonl \\
    --narrative "Forty accounts harvested chain-of-thought at scale over ten days." --contact soc@alpha.example`,
  async run(argv, io) {
    const { values } = parseCommandArgs('report file', argv, {
      node: { type: 'string' }, campaign: { type: 'string' }, indicators: { type: 'string' }, narrative: { type: 'string' },
      'narrative-file': { type: 'string' }, contact: { type: 'string' }, regulator: { type: 'string' }, json: { type: 'boolean' },
    }, false);
    const campaignRef = requireOption('report file', values, 'campaign');
    const indicatorsFile = requireOption('report file', values, 'indicators');
    const contact = requireOption('report file', values, 'contact');
    if ((values.narrative === undefined) === (values['narrative-file'] === undefined)) {
      throw new CordonError('INVALID_INPUT', 'cordon report file: give exactly one of --narrative and --narrative-file');
    }
    let narrative = values.narrative;
    if (narrative === undefined) {
      const f = values['narrative-file']!;
      narrative = await readFile(f, 'utf8').catch((err: unknown) => {
        throw new CordonError('INVALID_INPUT', `narrative file ${f}: ${fileProblem(err)}`);
      });
    }
    const config = await loadNodeConfig(values);
    requireRole(config, 'report file', ['provider']);
    const { self, membership } = await identity(config);
    const indicators = await readIndicatorsFile(indicatorsFile);
    const built = buildSignedReport({ providerId: config.id, campaignRef, indicators, narrative, contact }, self.key);
    const regulator = regulatorPeer(membership, values.regulator);
    const filed = await fileWithRegulator(self, membership, regulator, built);
    const db = await openNodeDatabase(config);
    try {
      await keepFiled(db.sql, built, filed.receipt);
    } finally {
      await db.close({ stopServer: true });
    }
    const recorded = await recordWithConsortium(self, membership, filed.entry);
    const id = hexOf(built.digest);
    if (values.json) {
      io.out(JSON.stringify({
        report_id: id, regulator: regulator.id, received_at: isoFromMs(filed.receipt.receivedMs), duplicate: filed.duplicate,
        receipt_signature: filed.receipt.signature,
        logged: recorded.map((r) => ({ node: r.node, ...(r.error ? { error: r.error } : { leaf_index: Number(r.leafIndex), duplicate: r.duplicate }) })),
      }, null, 2));
      return recorded.some((r) => r.error) ? 1 : 0;
    }
    io.out(`report ${id}`);
    io.out(`  filed with ${regulator.id} at ${isoFromMs(filed.receipt.receivedMs)}${filed.duplicate ? ' (already filed: original receipt)' : ''}; receipt signature verified`);
    const failed = printRecorded(io, recorded);
    if (failed > 0) io.err(`${failed} consortium node(s) did not log the filing; retry with: cordon report record --node ${config.dir} ${id}`);
    return failed === 0 ? 0 : 1;
  },
};

export const reportRecord: Command = {
  name: 'report record',
  summary: 'have every consortium node log a report this provider filed earlier (provider)',
  help: `Usage: cordon report record ID [--node DIR]

Sends a filed report's digest, this provider's signature and the regulator's receipt (kept by
cordon report file) to every consortium node again. Nodes that logged it already answer their
original leaf. ID is the report id, or at least its first 12 characters.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('report record', argv, { node: { type: 'string' } });
    if (positionals.length !== 1) throw new CordonError('INVALID_INPUT', 'cordon report record: needs exactly one report ID');
    const config = await loadNodeConfig(values);
    requireRole(config, 'report record', ['provider']);
    const { self, membership } = await identity(config);
    const db = await openNodeDatabase(config);
    let rows;
    try {
      rows = await findFiledReports(db.sql, positionals[0]!.toLowerCase());
    } finally {
      await db.close({ stopServer: true });
    }
    if (rows.length !== 1) throw new CordonError(rows.length === 0 ? 'NOT_FOUND' : 'INVALID_INPUT', rows.length === 0 ? `no filed report ${positionals[0]} on this node` : `${positionals[0]} matches several reports; give more characters`);
    const row = rows[0]!;
    const entry = create(FiledReportEntrySchema, {
      providerId: row.providerId, reportDigest: row.digest, providerSignature: row.providerSignature,
      receipt: receiptOf(row),
    });
    io.out(`report ${hexOf(row.digest)}`);
    return printRecorded(io, await recordWithConsortium(self, membership, entry)) === 0 ? 0 : 1;
  },
};

function summaryLine(v: ReportView): string {
  const narrative = v.narrative.replace(/\s+/g, ' ').trim();
  return `${v.id.slice(0, 16)}  ${v.received_at}  ${v.provider.padEnd(12)}  ${v.campaign_ref.padEnd(16)}  ${String(v.indicators.length).padStart(4)} tokens  ${narrative.length > 60 ? narrative.slice(0, 59) + '…' : narrative}`;
}

export const reportList: Command = {
  name: 'report list',
  summary: 'list reports filed with the regulator (regulator; a provider sees its own)',
  help: `Usage: cordon report list [--provider ID] [--campaign REF] [--since TIME] [--limit N] [--json] [--node DIR]

Reads filed reports from the regulator's node over gRPC (RegulatorService/ListReports), oldest
first. On the regulator's node it lists every report; on a provider's node, only that
provider's own reports. Each report's signature and receipt are verified before it is shown.

Options:
  --provider ID    only reports filed by this provider
  --campaign REF   only reports about this campaign reference
  --since TIME     only reports received after this ISO 8601 time
  --limit N        at most N reports (default 100)
  --json           one JSON object per report (ReportView fields)`,
  async run(argv, io) {
    const { values } = parseCommandArgs('report list', argv, {
      node: { type: 'string' }, provider: { type: 'string' }, campaign: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' },
      regulator: { type: 'string' }, json: { type: 'boolean' },
    }, false);
    const limit = integerOption('report list', values, 'limit', 100, 1);
    let since = 0n;
    if (values.since !== undefined) {
      const t = Date.parse(values.since);
      if (!Number.isFinite(t) || !/^\d{4}-\d{2}-\d{2}/.test(values.since)) throw new CordonError('INVALID_INPUT', `cordon report list: --since must be an ISO 8601 time, got '${values.since}'`);
      since = BigInt(t);
    }
    const config = await loadNodeConfig(values);
    requireRole(config, 'report list', ['regulator', 'provider']);
    const { self, membership } = await identity(config);
    const client = new RegulatorClient(self, readTarget(config, membership, values.regulator));
    const views: ReportView[] = [];
    try {
      let pageToken = '';
      do {
        const res = await client.listReports({ providerId: values.provider ?? '', campaignRef: values.campaign ?? '', receivedAfterMs: since, pageSize: Math.min(limit - views.length, 1000), pageToken });
        views.push(...res.reports.map((r) => verifyFiledReport(membership, r)));
        pageToken = res.nextPageToken;
      } while (pageToken && views.length < limit);
    } finally {
      client.close();
    }
    if (values.json) for (const v of views) io.out(JSON.stringify(v));
    else {
      io.out(`${views.length} report(s)`);
      for (const v of views) io.out(summaryLine(v));
    }
    return 0;
  },
};

export const reportShow: Command = {
  name: 'report show',
  summary: 'show one filed report with its verified signature and receipt',
  help: `Usage: cordon report show ID [--json] [--node DIR]

Fetches a filed report from the regulator's node (RegulatorService/GetReport), verifies the
provider's signature and the regulator's receipt over its digest, and prints it. ID is the
report id (64 hex characters) or at least its first 12 characters. A provider can show only
its own reports.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('report show', argv, { node: { type: 'string' }, regulator: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new CordonError('INVALID_INPUT', 'cordon report show: needs exactly one report ID');
    const config = await loadNodeConfig(values);
    requireRole(config, 'report show', ['regulator', 'provider']);
    const { self, membership } = await identity(config);
    const client = new RegulatorClient(self, readTarget(config, membership, values.regulator));
    let view: ReportView;
    try {
      const res = await client.getReport(positionals[0]!);
      view = verifyFiledReport(membership, res.report!);
    } finally {
      client.close();
    }
    if (values.json) {
      io.out(JSON.stringify(view, null, 2));
      return 0;
    }
    io.out(`report ${view.id}`);
    io.out(`  provider:   ${view.provider} (signature verified)`);
    io.out(`  regulator:  ${view.regulator}, received ${view.received_at} (receipt verified)`);
    io.out(`  written:    ${view.created_at}`);
    io.out(`  campaign:   ${view.campaign_ref}`);
    io.out(`  contact:    ${view.contact}`);
    io.out(`  indicators: ${view.indicators.length}`);
    for (const i of view.indicators) io.out(`    ${i.kind.padEnd(10)} epoch ${i.epoch}  ${i.token_hex}`);
    io.out('  narrative:');
    for (const line of view.narrative.split('\n')) io.out(`    ${line}`);
    return 0;
  },
};
