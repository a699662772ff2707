import { InvestigationService } from '../../../gen/cordon/v1/investigations_pb.js';
import { AlertHub } from '../../../match/service/alert-hub.js';
import { investigationService } from '../../../investigate/cases/service/investigation-service.js';
import type { NodePart, NodePartFactory } from '../node-part.js';
import { MATCHING_PART, type MatchingPart } from './matching.js';
import { TRANSPARENCY_LOG_PART, type TransparencyLogPart } from './transparency-log.js';

export const INVESTIGATIONS_PART = 'investigations';

/**
 * Consortium nodes: relay investigation cases (DESIGN.md §6) to the
 * providers whose records match, charge each query to the opener's budget,
 * log it, and serve probing flags to the regulator. Cases live only at the
 * node they were opened at (not replicated): the regulator reads escalated
 * cases, and the probing flags, from the consortium nodes themselves.
 */
export const investigationsPart: NodePartFactory = (ctx): NodePart | undefined => {
  if (ctx.config.role !== 'consortium') return undefined;
  const matching = ctx.part<MatchingPart>(MATCHING_PART)!;
  const transparency = ctx.part<TransparencyLogPart>(TRANSPARENCY_LOG_PART)!;
  const implementation = investigationService(ctx.pipeline, {
    sql: ctx.db.sql, membership: ctx.membership, matcher: matching.matcher, log: transparency.log, hub: new AlertHub(), nodeId: ctx.config.id,
  });
  return { name: INVESTIGATIONS_PART, services: [{ service: InvestigationService, implementation }] };
};
