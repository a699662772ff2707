import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { IntersectRequestSchema, PsiService, type PsiHello } from '../../../gen/cordon/v1/psi_pb.js';
import { CordonError } from '../../../errors.js';
import type { Identity } from '../../../federation/client/peer-client.js';
import { bidiStream, type PipelineDeps } from '../../../federation/grpc/handlers.js';
import { grpcPath } from '../../../federation/grpc/service-definition.js';
import type { Membership } from '../../../federation/membership/membership.js';
import type { Logger } from '../../../log.js';
import { AutoEngine } from '../engine/auto-engine.js';
import { modeName, modeOf } from '../protocol/modes.js';
import { SESSION_DEADLINE_MS } from '../protocol/limits.js';
import { runResponder, type ResponderTerms } from '../protocol/responder.js';
import { readSetFile, type SetKind } from '../set/read-set-file.js';
import { serverConversation } from './grpc-conversation.js';
import type { OfferStore, PsiOffer } from './offers.js';
import { writeIntersection, writeSessionRecord } from './session-records.js';

export interface PsiServiceEnv {
  readonly self: Identity;
  readonly membership: Membership;
  readonly offers: OfferStore;
  readonly dataDir: string;
  readonly log: Logger;
  readonly idleTimeoutMs?: number;
}

/**
 * PsiService on a provider node: answers a peer's session when, and only
 * when, this node's operator staged an offer for that peer (OfferStore) in
 * the mode the peer asks for. The offer is consumed at admission: one offer,
 * one session. The pipeline has already checked the caller's token and that
 * it is a provider.
 */
export function psiService(deps: PipelineDeps, env: PsiServiceEnv): UntypedServiceImplementation {
  const rpc = grpcPath(PsiService, 'Intersect').slice(1);
  return {
    Intersect: bidiStream(deps, rpc, IntersectRequestSchema, async (io, ctx) => {
      const peerId = ctx.caller.id;
      const publicKey = env.membership.activeKey(peerId);
      if (!publicKey) throw new CordonError('PERMISSION_DENIED', `${peerId} is not an active member`);
      let offer: PsiOffer | undefined;
      const admit = async (hello: PsiHello): Promise<ResponderTerms> => {
        offer = await env.offers.get(peerId);
        if (!offer) throw new CordonError('NOT_FOUND', `${env.self.id} has no PSI offer for ${peerId}: its operator must first run cordon psi --respond --peer ${peerId}`);
        if (offer.mode !== modeName(hello.mode)) {
          throw new CordonError('PERMISSION_DENIED', `${env.self.id} offered ${peerId} mode ${offer.mode}, not ${modeName(hello.mode)}`);
        }
        if (offer.kind !== hello.elementKind) throw new CordonError('INVALID_INPUT', `${env.self.id} offered a set of '${offer.kind}' elements, not '${hello.elementKind}'`);
        if (!(await env.offers.remove(peerId))) throw new CordonError('NOT_FOUND', `${env.self.id}'s PSI offer for ${peerId} was taken by another session`);
        const set = await readSetFile(offer.set_file, offer.kind as SetKind);
        // Each party blinds its own set once and the peer's once.
        const expectedPoints = set.elements.length + Number(hello.setSize);
        return { set, mode: modeOf(offer.mode), engine: new AutoEngine(undefined, { expectedPoints }) };
      };
      const outcome = await runResponder(serverConversation(io), {
        self: env.self,
        peer: { id: peerId, publicKey },
        admit,
        ...(env.idleTimeoutMs ? { idleTimeoutMs: env.idleTimeoutMs } : {}),
      });
      await writeSessionRecord(env.dataDir, 'responder', peerId, outcome);
      if (outcome.intersection && offer?.out_file) await writeIntersection(offer.out_file, outcome.intersection);
      env.log.info('psi session answered', {
        peer: peerId,
        session: Buffer.from(outcome.sessionId).toString('hex'),
        mode: outcome.mode,
        own_set_size: outcome.ownSetSize,
        peer_set_size: outcome.peerSetSize,
      });
      // A session cannot resume, and a large one runs long: its lifetime is the session's own deadline.
      // Revoking the peer still ends it at once (grpc/open-streams.ts).
    }, { lifetimeMs: SESSION_DEADLINE_MS }),
  };
}
