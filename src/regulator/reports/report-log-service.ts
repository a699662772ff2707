import { create } from '@bufbuild/protobuf';
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { RecordReportRequestSchema, RecordReportResponseSchema, ReportLogService } from '../../gen/cordon/v1/regulator_pb.js';
import { unary, type PipelineDeps } from '../../federation/grpc/handlers.js';
import { grpcPath } from '../../federation/grpc/service-definition.js';
import { recordReport, type ReportLogEnv } from './record-report.js';

const rpc = (name: string) => grpcPath(ReportLogService, name).slice(1);

/** ReportLogService handlers on a consortium node. */
export function reportLogService(deps: PipelineDeps, env: ReportLogEnv): UntypedServiceImplementation {
  return {
    RecordReport: unary(deps, rpc('RecordReport'), RecordReportRequestSchema, async (req, ctx) => {
      const { leafIndex, duplicate } = await recordReport(env, req.entry, ctx.caller.id);
      return create(RecordReportResponseSchema, { leafIndex, duplicate });
    }),
  };
}
