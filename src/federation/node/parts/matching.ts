import { AlertService } from '../../../gen/cordon/v1/alerts_pb.js';
import { Matcher } from '../../../match/matcher.js';
import { AlertHub } from '../../../match/service/alert-hub.js';
import { alertService } from '../../../match/service/alert-service.js';
import type { NodePart, NodePartFactory } from '../node-part.js';
import { FEDERATION_PART, type FederationPart } from './federation.js';

export const MATCHING_PART = 'matching';

/**
 * Consortium and regulator nodes: match every accepted batch (the regulator
 * matches its replica too, for its read-only views) and serve alerts and
 * campaigns through the disclosure policy.
 */
export interface MatchingPart extends NodePart {
  readonly matcher: Matcher;
}

export const matchingPart: NodePartFactory = (ctx): MatchingPart | undefined => {
  const federation = ctx.part<FederationPart>(FEDERATION_PART);
  if (!federation) return undefined;
  const matcher = new Matcher(ctx.db.sql, ctx.membership, ctx.log);
  const hub = new AlertHub();
  matcher.onAlerts((recipients) => hub.publish(recipients));
  federation.chain.onAccepted(() => matcher.notify());
  return {
    name: MATCHING_PART,
    matcher,
    services: [{ service: AlertService, implementation: alertService(ctx.pipeline, { sql: ctx.db.sql, membership: ctx.membership, hub }) }],
    start: () => matcher.start(),
    stop: () => matcher.stop(),
  };
};
