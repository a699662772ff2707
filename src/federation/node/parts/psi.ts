import { PsiAuditService, PsiService } from '../../../gen/cordon/v1/psi_pb.js';
import { OfferStore } from '../../../investigate/psi/node/offers.js';
import { psiAuditService } from '../../../investigate/psi/node/psi-audit-service.js';
import { psiService } from '../../../investigate/psi/node/psi-service.js';
import type { NodePart, NodePartFactory } from '../node-part.js';

export const PSI_PART = 'psi';

/**
 * Bilateral PSI (DESIGN.md §6). Provider nodes answer their peers' sessions
 * (PsiService, against offers their operators staged); consortium nodes put
 * the sessions' signed summaries into their transparency log
 * (PsiAuditService). Regulator nodes take no part.
 */
export const psiPart: NodePartFactory = (ctx): NodePart | undefined => {
  if (ctx.config.role === 'provider') {
    const env = { self: ctx.self, membership: ctx.membership, offers: new OfferStore(ctx.config.data_dir), dataDir: ctx.config.data_dir, log: ctx.log };
    return { name: PSI_PART, services: [{ service: PsiService, implementation: psiService(ctx.pipeline, env) }] };
  }
  if (ctx.config.role === 'consortium') {
    return { name: PSI_PART, services: [{ service: PsiAuditService, implementation: psiAuditService(ctx.pipeline, { sql: ctx.db.sql, membership: ctx.membership }) }] };
  }
  return undefined;
};
