import { AlertService } from '../../../gen/cordon/v1/alerts_pb.js';
import { loadAlertIdKey } from '../../../crypto/alert-id-key.js';
import { KeyedIds } from '../../../match/ids.js';
import { participation, type MatchEnv } from '../../../match/match-env.js';
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
 *
 * Alert and template-link ids are keyed with the alert-id key
 * (crypto/alert-id-key.ts), decrypted here at start. A node without it does
 * not start: naming alerts under any other key would give them ids no other
 * consortium node gives, and providers deduplicate by id. The error names the
 * commands that install it.
 */
export interface MatchingPart extends NodePart {
  readonly matcher: Matcher;
}

export const matchingPart: NodePartFactory = async (ctx): Promise<MatchingPart | undefined> => {
  const federation = ctx.part<FederationPart>(FEDERATION_PART);
  if (!federation) return undefined;
  const { key, envelope } = await loadAlertIdKey(ctx.config.dir, { memberId: ctx.config.id });
  const env: MatchEnv = { ids: new KeyedIds(key), participates: participation(ctx.membership) };
  key.fill(0);
  ctx.log.info('alert-id key loaded', { key_id: envelope.secretId, version: envelope.version });
  const matcher = new Matcher(ctx.db.sql, ctx.membership, ctx.log, env);
  const hub = new AlertHub();
  matcher.onAlerts((recipients) => hub.publish(recipients));
  federation.chain.onAccepted(() => matcher.notify());
  return {
    name: MATCHING_PART,
    matcher,
    services: [{ service: AlertService, implementation: alertService(ctx.pipeline, { sql: ctx.db.sql, membership: ctx.membership, hub, match: env }) }],
    start: () => matcher.start(),
    stop: () => matcher.stop(),
  };
};
