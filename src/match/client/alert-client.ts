import { create } from '@bufbuild/protobuf';
import { credentials, makeGenericClientConstructor, Metadata, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import {
  AlertService, GetCampaignRequestSchema, ListCampaignsRequestSchema, SubmitFeedbackRequestSchema, WatchAlertsRequestSchema,
  type Alert, type GetCampaignResponse, type ListCampaignsResponse, type SubmitFeedbackResponse, type WatchAlertsResponse,
} from '../../gen/cordon/v1/alerts_pb.js';
import { mintCallToken } from '../../federation/auth/call-token.js';
import type { Identity, Peer } from '../../federation/client/peer-client.js';
import { CLIENT_OPTIONS, UNARY_DEADLINE_MS } from '../../federation/grpc/options.js';
import { clientDefinition } from '../../federation/grpc/service-definition.js';
import { fromServiceError } from '../../federation/grpc/status.js';

const AlertGrpcClient = makeGenericClientConstructor(clientDefinition(AlertService), 'AlertService');

/**
 * A following watch has no natural end; it is bounded so a silently dead
 * connection is noticed and re-established (the watcher resumes from its
 * cursor, so nothing is lost by reconnecting).
 */
export const WATCH_DEADLINE_MS = 10 * 60_000;

/** A typed AlertService client for one consortium (or regulator) node. */
export class AlertClient {
  private readonly client: Client & Record<string, Function>;

  constructor(private readonly self: Identity, readonly peer: Peer) {
    this.client = new AlertGrpcClient(peer.address, credentials.createInsecure(), CLIENT_OPTIONS) as Client & Record<string, Function>;
  }

  private metadata(): Metadata {
    const md = new Metadata();
    md.set('authorization', `Bearer ${mintCallToken(this.self.id, this.self.key, this.peer.id)}`);
    return md;
  }

  private unary<O>(method: string, request: unknown): Promise<O> {
    const metadata = this.metadata();
    return new Promise<O>((resolve, reject) => {
      this.client[method]!(request, metadata, { deadline: Date.now() + UNARY_DEADLINE_MS }, (err: ServiceError | null, res: O) =>
        err ? reject(fromServiceError(err, this.peer.id)) : resolve(res),
      );
    });
  }

  /** The caller's alerts after `cursor`; follows new ones unless `backlogOnly`. Ends when `signal` aborts. */
  async *watch(cursor: bigint, opts: { backlogOnly?: boolean; signal?: AbortSignal } = {}): AsyncGenerator<Alert> {
    const stream = this.client.watchAlerts!(create(WatchAlertsRequestSchema, { cursor, backlogOnly: opts.backlogOnly ?? false }), this.metadata(), {
      deadline: Date.now() + WATCH_DEADLINE_MS,
    }) as ClientReadableStream<WatchAlertsResponse>;
    const cancel = () => stream.cancel();
    opts.signal?.addEventListener('abort', cancel);
    try {
      for await (const msg of stream) if (msg.alert) yield msg.alert;
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw fromServiceError(err, this.peer.id);
    } finally {
      opts.signal?.removeEventListener('abort', cancel);
      stream.cancel();
    }
  }

  submitFeedback(feedbackJws: string): Promise<SubmitFeedbackResponse> {
    return this.unary('submitFeedback', create(SubmitFeedbackRequestSchema, { feedbackJws }));
  }

  listCampaigns(limit = 0, minProviders = 0): Promise<ListCampaignsResponse> {
    return this.unary('listCampaigns', create(ListCampaignsRequestSchema, { limit, minProviders }));
  }

  getCampaign(campaignId: string): Promise<GetCampaignResponse> {
    return this.unary('getCampaign', create(GetCampaignRequestSchema, { campaignId }));
  }

  close(): void {
    this.client.close();
  }
}
