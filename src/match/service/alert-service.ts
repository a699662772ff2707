import { create } from '@bufbuild/protobuf';
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Sql } from 'postgres';
import {
  AlertService, GetCampaignRequestSchema, GetCampaignResponseSchema, ListCampaignsRequestSchema, ListCampaignsResponseSchema,
  SubmitFeedbackRequestSchema, SubmitFeedbackResponseSchema, WatchAlertsRequestSchema, WatchAlertsResponseSchema,
} from '../../gen/cordon/v1/alerts_pb.js';
import { CordonError } from '../../errors.js';
import { serverStream, unary, type CallContext, type PipelineDeps } from '../../federation/grpc/handlers.js';
import { grpcPath } from '../../federation/grpc/service-definition.js';
import type { Membership } from '../../federation/membership/membership.js';
import { discloseAlert, discloseCampaign, type Viewer } from '../disclosure.js';
import { applyFeedback, verifyFeedback } from '../feedback.js';
import type { MatchEnv } from '../match-env.js';
import { alertsAfter, insertAlerts } from '../store/alerts.js';
import { campaignsById, listCampaigns, ownRecordsIn, ownRecordsInEach } from '../store/campaigns.js';
import { disclosedTimeline } from '../timeline.js';
import { OPERATOR_RECIPIENT } from '../types.js';
import type { AlertHub } from './alert-hub.js';
import { alertMessage, campaignMessage, eventMessage } from './to-proto.js';

const rpc = (name: string) => grpcPath(AlertService, name).slice(1);

/** Alerts read per database round trip while streaming a backlog. */
const ALERT_PAGE = 500;
/** A following stream re-reads the database at least this often, even without a wake-up. */
const FOLLOW_POLL_MS = 2_000;
const DEFAULT_CAMPAIGN_LIMIT = 100;
const MAX_CAMPAIGN_LIMIT = 1000;

const viewerOf = (ctx: CallContext): Viewer => ({ id: ctx.caller.id, role: ctx.caller.role });
/** Whose alerts a caller reads: a provider its own; a consortium member the operator's. */
const recipientOf = (ctx: CallContext) => (ctx.caller.role === 'consortium' ? OPERATOR_RECIPIENT : ctx.caller.id);

export function alertService(deps: PipelineDeps, env: { sql: Sql; membership: Membership; hub: AlertHub; match: MatchEnv }): UntypedServiceImplementation {
  const { sql, membership, hub, match } = env;
  const policy = () => membership.manifest.policy;

  return {
    WatchAlerts: serverStream(deps, rpc('WatchAlerts'), WatchAlertsRequestSchema, async (req, ctx, send) => {
      const recipient = recipientOf(ctx);
      let cursor = req.cursor;
      while (!ctx.signal.aborted) {
        const page = await alertsAfter(sql, recipient, cursor, ALERT_PAGE);
        for (const a of page) {
          const disclosed = discloseAlert(a, viewerOf(ctx), policy());
          if (disclosed) await send(create(WatchAlertsResponseSchema, { alert: alertMessage(disclosed) }));
          cursor = a.cursor;
        }
        if (page.length === ALERT_PAGE) continue;
        if (req.backlogOnly) return;
        await hub.wait(recipient, ctx.signal, FOLLOW_POLL_MS);
      }
    }),

    SubmitFeedback: unary(deps, rpc('SubmitFeedback'), SubmitFeedbackRequestSchema, async (req, ctx) => {
      const payload = await verifyFeedback(req.feedbackJws, ctx.caller.id, membership);
      let out = { campaignId: '', score: 0 };
      let recipients = new Set<string>();
      await sql.begin(async (tx) => {
        const r = await applyFeedback(tx, ctx.caller.id, payload, req.feedbackJws, match);
        recipients = await insertAlerts(tx, r.alerts);
        out = r;
      });
      hub.publish(recipients);
      return create(SubmitFeedbackResponseSchema, { campaignId: out.campaignId, campaignScore: out.score });
    }),

    ListCampaigns: unary(deps, rpc('ListCampaigns'), ListCampaignsRequestSchema, async (req, ctx) => {
      const viewer = viewerOf(ctx);
      const floor = viewer.role === 'regulator' ? Math.max(2, policy().regulator_min_providers) : viewer.role === 'provider' ? 2 : 1;
      const limit = req.limit === 0 ? DEFAULT_CAMPAIGN_LIMIT : Math.min(req.limit, MAX_CAMPAIGN_LIMIT);
      const rows = await listCampaigns(sql, { minProviders: Math.max(floor, req.minProviders), limit, ...(viewer.role === 'provider' ? { provider: viewer.id } : {}) });
      const campaigns = [];
      const owned = viewer.role === 'provider' ? await ownRecordsInEach(sql, rows.map((r) => r.campaign_id), viewer.id) : new Map<string, string[]>();
      for (const row of rows) {
        const d = discloseCampaign(row, owned.get(row.campaign_id) ?? [], viewer, policy());
        if (d) campaigns.push(campaignMessage(d));
      }
      return create(ListCampaignsResponseSchema, { campaigns });
    }),

    GetCampaign: unary(deps, rpc('GetCampaign'), GetCampaignRequestSchema, async (req, ctx) => {
      const viewer = viewerOf(ctx);
      const id = req.campaignId;
      const row = /^cp-[0-9a-f]{32}$/.test(id) ? (await campaignsById(sql, [id])).get(id) : undefined;
      const own = row && viewer.role === 'provider' ? await ownRecordsIn(sql, id, viewer.id) : [];
      const d = row && discloseCampaign(row, own, viewer, policy());
      // One answer for "does not exist" and "not yours": existence is itself disclosure.
      if (!d) throw new CordonError('NOT_FOUND', `campaign ${JSON.stringify(id).slice(0, 80)}: not found`);
      return create(GetCampaignResponseSchema, { campaign: campaignMessage(d), timeline: (await disclosedTimeline(sql, id, viewer, policy())).map(eventMessage) });
    }),
  };
}
