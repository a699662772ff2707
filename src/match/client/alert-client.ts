import { create } from '@bufbuild/protobuf';
import {
  AlertService, GetCampaignRequestSchema, ListCampaignsRequestSchema, SubmitFeedbackRequestSchema, WatchAlertsRequestSchema,
  type Alert, type GetCampaignResponse, type ListCampaignsResponse, type SubmitFeedbackResponse,
} from '../../gen/cordon/v1/alerts_pb.js';
import { PeerClient, type Identity, type Peer } from '../../federation/client/peer-client.js';

/**
 * A following watch has no natural end; it is bounded so a silently dead
 * connection is noticed and re-established (the watcher resumes from its
 * cursor, so nothing is lost by reconnecting).
 */
export const WATCH_DEADLINE_MS = 10 * 60_000;

const m = AlertService.method;

/** A typed AlertService client for one consortium (or regulator) node. */
export class AlertClient {
  readonly #peer: PeerClient;

  constructor(self: Identity, readonly peer: Peer) {
    this.#peer = new PeerClient(self, peer);
  }

  /**
   * The caller's alerts after `cursor`; follows new ones unless `backlogOnly`. Ends when `signal` aborts.
   * When the node ends the stream at its lifetime, it is reopened (fresh call token) after the last alert
   * received, so none is skipped or repeated.
   */
  async *watch(cursor: bigint, opts: { backlogOnly?: boolean; signal?: AbortSignal } = {}): AsyncGenerator<Alert> {
    let after = cursor;
    const request = () => create(WatchAlertsRequestSchema, { cursor: after, backlogOnly: opts.backlogOnly ?? false });
    for await (const msg of this.#peer.stream(m.watchAlerts, request(), { deadlineMs: WATCH_DEADLINE_MS, resume: request, ...(opts.signal ? { signal: opts.signal } : {}) })) {
      if (!msg.alert) continue;
      after = msg.alert.cursor;
      yield msg.alert;
    }
  }

  submitFeedback(feedbackJws: string): Promise<SubmitFeedbackResponse> {
    return this.#peer.call(m.submitFeedback, create(SubmitFeedbackRequestSchema, { feedbackJws }));
  }

  listCampaigns(limit = 0, minProviders = 0): Promise<ListCampaignsResponse> {
    return this.#peer.call(m.listCampaigns, create(ListCampaignsRequestSchema, { limit, minProviders }));
  }

  getCampaign(campaignId: string): Promise<GetCampaignResponse> {
    return this.#peer.call(m.getCampaign, create(GetCampaignRequestSchema, { campaignId }));
  }

  close(): void {
    this.#peer.close();
  }
}
