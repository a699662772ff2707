import { RegulatorService } from '../../../gen/cordon/v1/regulator_pb.js';
import { regulatorService } from '../../../regulator/reports/regulator-service.js';
import type { NodePart, NodePartFactory } from '../node-part.js';

/** Regulator nodes: the inbox providers file reports to, and the read-only report views (RegulatorService). */
export const reportInboxPart: NodePartFactory = (ctx): NodePart | undefined => {
  if (ctx.config.role !== 'regulator') return undefined;
  const inbox = { sql: ctx.db.sql, membership: ctx.membership, regulatorId: ctx.config.id, key: ctx.key.privateKey };
  return { name: 'report-inbox', services: [{ service: RegulatorService, implementation: regulatorService(ctx.pipeline, inbox) }] };
};
