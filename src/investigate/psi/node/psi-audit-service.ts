import { create } from '@bufbuild/protobuf';
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Sql } from 'postgres';
import { PsiAuditService, RecordPsiSummaryRequestSchema, RecordPsiSummaryResponseSchema } from '../../../gen/cordon/v1/psi_pb.js';
import { CordonError } from '../../../errors.js';
import { unary, type PipelineDeps } from '../../../federation/grpc/handlers.js';
import { grpcPath } from '../../../federation/grpc/service-definition.js';
import type { Membership } from '../../../federation/membership/membership.js';
import { recordPsiSummary } from '../audit/record-summary.js';
import { refuseUnknownFields } from '../protocol/summary.js';

/**
 * PsiAuditService on a consortium node: the signed summaries of PSI sessions
 * into the transparency log, once per session (record-summary.ts). A request
 * with fields this node does not know is refused, not passed over.
 */
export function psiAuditService(deps: PipelineDeps, env: { sql: Sql; membership: Membership }): UntypedServiceImplementation {
  const rpc = grpcPath(PsiAuditService, 'RecordPsiSummary').slice(1);
  return {
    RecordPsiSummary: unary(deps, rpc, RecordPsiSummaryRequestSchema, async (req, ctx) => {
      refuseUnknownFields(req, rpc);
      if (!req.signed) throw new CordonError('INVALID_INPUT', `${rpc}: signed summary is missing`);
      const { leafIndex, duplicate } = await recordPsiSummary(env.sql, env.membership, req.signed, ctx.caller.id);
      return create(RecordPsiSummaryResponseSchema, { logIndex: leafIndex, duplicate });
    }),
  };
}
