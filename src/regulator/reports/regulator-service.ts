import { create } from '@bufbuild/protobuf';
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import {
  CountSchema,
  FileReportRequestSchema,
  FileReportResponseSchema,
  GetAggregatesRequestSchema,
  GetAggregatesResponseSchema,
  GetReportRequestSchema,
  GetReportResponseSchema,
  ListReportsRequestSchema,
  ListReportsResponseSchema,
  RegulatorService,
} from '../../gen/cordon/v1/regulator_pb.js';
import { CordonError } from '../../errors.js';
import { unary, type CallContext, type PipelineDeps } from '../../federation/grpc/handlers.js';
import { grpcPath } from '../../federation/grpc/service-definition.js';
import { aggregates } from '../views/aggregates.js';
import { REPORT_ID } from '../views/report-view.js';
import { fileReport, type ReportInbox } from './file-report.js';
import { DEFAULT_REPORT_PAGE, MAX_REPORT_PAGE, MIN_REPORT_ID_PREFIX } from './limits.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import { filedReportOf } from './receipt-of.js';
import { findFiledReports, listFiledReports } from './report-store.js';

const rpc = (name: string) => grpcPath(RegulatorService, name).slice(1);

/** The provider a call may read: a provider only itself (ACL ownOnly), the regulator anyone or all. */
function readableProvider(ctx: CallContext, requested: string): string | undefined {
  if (!ctx.ownOnly) return requested || undefined;
  if (requested && requested !== ctx.caller.id) {
    throw new CordonError('PERMISSION_DENIED', `${ctx.caller.id} may read only its own reports, not those of '${requested}'`);
  }
  return ctx.caller.id;
}

/** RegulatorService handlers (the pipeline has authenticated and authorized each call). */
export function regulatorService(deps: PipelineDeps, inbox: ReportInbox): UntypedServiceImplementation {
  return {
    FileReport: unary(deps, rpc('FileReport'), FileReportRequestSchema, async (req, ctx) => {
      const outcome = await fileReport(inbox, req.report, ctx.caller.id);
      return create(FileReportResponseSchema, { receipt: outcome.receipt, duplicate: outcome.duplicate });
    }),

    ListReports: unary(deps, rpc('ListReports'), ListReportsRequestSchema, async (req, ctx) => {
      const providerId = readableProvider(ctx, req.providerId);
      if (req.pageSize > MAX_REPORT_PAGE) throw new CordonError('INVALID_INPUT', `ListReports: page_size ${req.pageSize} exceeds ${MAX_REPORT_PAGE}`);
      const limit = req.pageSize || DEFAULT_REPORT_PAGE;
      const after = req.pageToken ? decodePageToken(req.pageToken) : undefined;
      // One extra row tells whether another page follows.
      const rows = await listFiledReports(inbox.sql, {
        ...(providerId ? { providerId } : {}),
        ...(req.campaignRef ? { campaignRef: req.campaignRef } : {}),
        ...(req.receivedAfterMs > 0n ? { receivedAfterMs: req.receivedAfterMs } : {}),
        ...(after ? { after } : {}),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return create(ListReportsResponseSchema, {
        reports: page.map(filedReportOf),
        nextPageToken: rows.length > limit && last ? encodePageToken({ receivedMs: last.receivedMs, digest: last.digest }) : '',
      });
    }),

    GetReport: unary(deps, rpc('GetReport'), GetReportRequestSchema, async (req, ctx) => {
      const id = req.reportId.toLowerCase();
      if (!/^[0-9a-f]+$/.test(id) || id.length < MIN_REPORT_ID_PREFIX || id.length > 64) {
        throw new CordonError('INVALID_INPUT', `GetReport: report_id must be the report digest in hex, or at least ${MIN_REPORT_ID_PREFIX} of its first characters; got ${JSON.stringify(req.reportId.slice(0, 80))}`);
      }
      const own = readableProvider(ctx, '');
      // A provider asking about another provider's report learns nothing, not even that it exists.
      const rows = (await findFiledReports(inbox.sql, id)).filter((r) => !own || r.providerId === own);
      if (rows.length === 0) throw new CordonError('NOT_FOUND', `GetReport: no report ${id}${REPORT_ID.test(id) ? '' : '…'}`);
      if (rows.length > 1) throw new CordonError('INVALID_INPUT', `GetReport: ${id}… matches more than one report; give more characters`);
      return create(GetReportResponseSchema, { report: filedReportOf(rows[0]!) });
    }),

    GetAggregates: unary(deps, rpc('GetAggregates'), GetAggregatesRequestSchema, async (req) => {
      if (req.sinceMs < 0n) throw new CordonError('INVALID_INPUT', `GetAggregates: since_ms must not be negative, got ${req.sinceMs}`);
      const a = await aggregates(inbox.sql, { sinceMs: Number(req.sinceMs), minProviders: Math.max(2, inbox.membership.manifest.policy.regulator_min_providers) });
      const counts = (pairs: [string, number][]) => pairs.map(([key, n]) => create(CountSchema, { key, count: BigInt(n) }));
      return create(GetAggregatesResponseSchema, {
        recordsByLabel: counts(a.recordsByLabel), recordsByProvider: counts(a.recordsByProvider), recordsByWeek: counts(a.recordsByWeek),
        campaignsByProviders: counts(a.campaignsByProviders), campaigns: BigInt(a.campaigns), records: BigInt(a.records),
      });
    }),
  };
}
