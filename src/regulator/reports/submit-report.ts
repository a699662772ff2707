import { create } from '@bufbuild/protobuf';
import type { Sql } from 'postgres';
import { FiledReportEntrySchema, type FiledReportEntry, type ReportReceipt } from '../../gen/cordon/v1/regulator_pb.js';
import { CordonError, errorMessage } from '../../errors.js';
import type { Identity, Peer } from '../../federation/client/peer-client.js';
import type { Membership } from '../../federation/membership/membership.js';
import { consortiumPeers } from '../../federation/node/peers.js';
import type { BuiltReport } from './build-report.js';
import { RegulatorClient, ReportLogClient } from './report-clients.js';
import { insertFiledReport, type FiledReportRow } from './report-store.js';
import { verifyReceipt } from './signatures.js';

/**
 * The provider's side of filing, end to end: file with the regulator, check
 * the receipt it signed, keep report and receipt as proof, then have every
 * consortium node log the filing.
 */

/** The regulator to file with: `id` if given, else the manifest's only active regulator. */
export function regulatorPeer(membership: Membership, id?: string): Peer {
  const regulators = membership.members('regulator').filter((m) => m.endpoints.grpc && (!id || m.id === id));
  if (id && regulators.length === 0) throw new CordonError('INVALID_INPUT', `'${id}' is not an active regulator with a gRPC endpoint in the manifest`);
  if (regulators.length === 0) throw new CordonError('INVALID_INPUT', 'the manifest lists no active regulator with a gRPC endpoint');
  if (regulators.length > 1) throw new CordonError('INVALID_INPUT', `the manifest lists ${regulators.length} regulators (${regulators.map((r) => r.id).join(', ')}); choose one`);
  return { id: regulators[0]!.id, address: regulators[0]!.endpoints.grpc! };
}

export interface Filed {
  receipt: ReportReceipt;
  duplicate: boolean;
  entry: FiledReportEntry;
}

/** Files with the regulator and verifies its receipt (a receipt that does not verify is no proof). */
export async function fileWithRegulator(self: Identity, membership: Membership, regulator: Peer, built: BuiltReport): Promise<Filed> {
  const client = new RegulatorClient(self, regulator);
  try {
    const res = await client.fileReport(built.signed);
    if (!res.receipt) throw new CordonError('UNAVAILABLE', `${regulator.id}: FileReport answered without a receipt`);
    if (res.receipt.regulatorId !== regulator.id) throw new CordonError('INVALID_SIGNATURE', `${regulator.id}: the receipt names '${res.receipt.regulatorId}'`);
    verifyReceipt(membership, built.digest, res.receipt);
    const entry = create(FiledReportEntrySchema, { providerId: self.id, reportDigest: built.digest, providerSignature: built.signed.signature, receipt: res.receipt });
    return { receipt: res.receipt, duplicate: res.duplicate, entry };
  } finally {
    client.close();
  }
}

/** Keeps the filed report and its receipt in the provider's own database. */
export async function keepFiled(sql: Sql, built: BuiltReport, receipt: ReportReceipt): Promise<FiledReportRow> {
  const { row } = await insertFiledReport(sql, {
    digest: built.digest, providerId: built.report.providerId, campaignRef: built.report.campaignRef, report: built.signed.report,
    providerSignature: built.signed.signature, regulatorId: receipt.regulatorId, receivedMs: receipt.receivedMs, receiptSignature: receipt.signature,
  });
  return row;
}

export interface Recorded {
  node: string;
  leafIndex?: bigint;
  duplicate?: boolean;
  error?: string;
}

/** Asks every active consortium node to log the filing; one outcome per node, failures included. */
export async function recordWithConsortium(self: Identity, membership: Membership, entry: FiledReportEntry): Promise<Recorded[]> {
  return Promise.all(
    consortiumPeers(membership, self.id).map(async (peer): Promise<Recorded> => {
      const client = new ReportLogClient(self, peer);
      try {
        const res = await client.recordReport(entry);
        return { node: peer.id, leafIndex: res.leafIndex, duplicate: res.duplicate };
      } catch (err) {
        return { node: peer.id, error: errorMessage(err) };
      } finally {
        client.close();
      }
    }),
  );
}
