import { TransparencyLog } from '../../../audit/transparency-log.js';
import { ReportLogService } from '../../../gen/cordon/v1/regulator_pb.js';
import { reportLogService } from '../../../regulator/reports/report-log-service.js';
import type { NodePart, NodePartFactory } from '../node-part.js';
import { TRANSPARENCY_LOG_PART, type TransparencyLogPart } from './transparency-log.js';

/** Consortium nodes: log filed reports (by digest, with both signatures) in the node's transparency log. */
export const reportLogPart: NodePartFactory = (ctx): NodePart | undefined => {
  if (ctx.config.role !== 'consortium') return undefined;
  const logPart = ctx.part<TransparencyLogPart>(TRANSPARENCY_LOG_PART);
  // The log's sequencer is a database lock, so a handle of our own is safe when the log part is absent.
  const log = logPart?.log ?? new TransparencyLog(ctx.db.sql);
  const env = { sql: ctx.db.sql, membership: ctx.membership, log, onLogged: () => logPart?.publisher.wake() };
  return { name: 'report-log', services: [{ service: ReportLogService, implementation: reportLogService(ctx.pipeline, env) }] };
};
