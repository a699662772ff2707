import { create } from '@bufbuild/protobuf';
import { PsiAuditService, PsiService, RecordPsiSummaryRequestSchema, type PsiMode, type SignedPsiSummary } from '../../../gen/cordon/v1/psi_pb.js';
import { CordonError, errorMessage } from '../../../errors.js';
import { PeerClient, type Identity, type Peer } from '../../../federation/client/peer-client.js';
import type { Membership } from '../../../federation/membership/membership.js';
import { consortiumPeers } from '../../../federation/node/peers.js';
import { AutoEngine } from '../engine/auto-engine.js';
import type { PsiEngine } from '../engine/engine.js';
import { runInitiator } from '../protocol/initiator.js';
import { SESSION_DEADLINE_MS } from '../protocol/limits.js';
import type { PsiOutcome, PsiProgress } from '../protocol/party.js';
import type { ElementSet } from '../set/element-set.js';
import { clientConversation } from './grpc-conversation.js';

export interface InitiatePsiOptions {
  readonly self: Identity;
  readonly membership: Membership;
  readonly peerId: string;
  readonly set: ElementSet;
  readonly mode: PsiMode;
  /** Default: an AutoEngine (inline for small sessions, one thread per core for large ones). */
  readonly engine?: PsiEngine;
  readonly onProgress?: (p: PsiProgress) => void;
  readonly idleTimeoutMs?: number;
  /** Consortium nodes to record the summary at (default: every active one). */
  readonly recordAt?: readonly Peer[];
}

export interface RecordedAt { readonly node: string; readonly logIndex?: number; readonly error?: string }

/** The peer provider's gRPC endpoint, or an error naming why it cannot be reached. */
function peerEndpoint(membership: Membership, selfId: string, peerId: string): Peer {
  if (peerId === selfId) throw new CordonError('INVALID_INPUT', 'PSI needs another provider as peer, not this node');
  const m = membership.member(peerId);
  if (!m) throw new CordonError('NOT_FOUND', `PSI peer '${peerId}' is not in the manifest`);
  if (m.role !== 'provider') throw new CordonError('INVALID_INPUT', `PSI peer '${peerId}' is a ${m.role}; PSI runs between providers`);
  if (m.status !== 'active') throw new CordonError('PERMISSION_DENIED', `PSI peer '${peerId}' is ${m.status}`);
  if (!m.endpoints.grpc) throw new CordonError('INVALID_CONFIG', `PSI peer '${peerId}' lists no gRPC endpoint in the manifest`);
  return { id: peerId, address: m.endpoints.grpc };
}

/**
 * Runs a PSI session as initiator against a peer provider's node, then has
 * the signed summary recorded in the transparency log of every consortium
 * node. The session's result stands on its own; the recording outcome per
 * node is returned beside it so the caller can report a node that refused.
 */
export async function initiatePsi(opts: InitiatePsiOptions): Promise<{ outcome: PsiOutcome; recorded: RecordedAt[] }> {
  const peer = peerEndpoint(opts.membership, opts.self.id, opts.peerId);
  const publicKey = opts.membership.activeKey(peer.id)!;
  const client = new PeerClient(opts.self, peer);
  const engine = opts.engine ?? new AutoEngine(undefined, { expectedPoints: 2 * opts.set.elements.length });
  let outcome: PsiOutcome;
  try {
    outcome = await runInitiator(clientConversation(client.bidi(PsiService.method.intersect, SESSION_DEADLINE_MS)), {
      self: opts.self,
      peer: { id: peer.id, publicKey },
      set: opts.set,
      mode: opts.mode,
      engine,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.idleTimeoutMs ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
    });
  } finally {
    if (!opts.engine) await engine.close();
    client.close();
  }
  const recorded = await recordEverywhere(opts.self, opts.recordAt ?? consortiumPeers(opts.membership, opts.self.id), outcome.signed);
  return { outcome, recorded };
}

/** RecordPsiSummary at each consortium node, in parallel; one node's failure does not stop the others. */
export async function recordEverywhere(self: Identity, nodes: readonly Peer[], signed: SignedPsiSummary): Promise<RecordedAt[]> {
  return Promise.all(
    nodes.map(async (node): Promise<RecordedAt> => {
      const client = new PeerClient(self, node);
      try {
        const res = await client.call(PsiAuditService.method.recordPsiSummary, create(RecordPsiSummaryRequestSchema, { signed }));
        return { node: node.id, logIndex: Number(res.logIndex) };
      } catch (err) {
        return { node: node.id, error: errorMessage(err) };
      } finally {
        client.close();
      }
    }),
  );
}
