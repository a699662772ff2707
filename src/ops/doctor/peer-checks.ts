import type { ResolvedConfig } from '../../config/schema.js';
import type { NodeKey } from '../../crypto/keys.js';
import { errorMessage } from '../../errors.js';
import { CLOCK_SKEW_S } from '../../federation/auth/call-token.js';
import { PeerClient, type Peer } from '../../federation/client/peer-client.js';
import type { Membership } from '../../federation/membership/membership.js';
import { consortiumPeers } from '../../federation/node/peers.js';
import { fail, pass, warn, type CheckResult } from './check.js';
import { probeHealth } from './grpc-health-probe.js';

/** How long each peer has to answer the health probe. */
const PEER_TIMEOUT_MS = 3_000;
/**
 * The peer's clock comes from the HTTP/2 `date` header, in whole seconds:
 * below this the difference is not distinguishable from rounding and travel.
 */
const SKEW_RESOLUTION_MS = 1_000;

/**
 * Every consortium node this node talks to (a provider: those it publishes
 * to): reachable, its health service SERVING, our call token accepted (an
 * authenticated GetHeads), and its clock within the call tokens' tolerance.
 */
export async function checkPeers(config: ResolvedConfig, key: NodeKey, membership: Membership): Promise<CheckResult[]> {
  const peers = consortiumPeers(membership, config.id, config.role === 'provider' ? config.publish_to : undefined);
  if (peers.length === 0) return [warn('peers', 'the manifest lists no other consortium node with a gRPC endpoint')];
  return Promise.all(peers.map((peer) => checkPeer(config, key, peer)));
}

async function checkPeer(config: ResolvedConfig, key: NodeKey, peer: Peer): Promise<CheckResult> {
  const name = `peer ${peer.id}`;
  let probe;
  try {
    probe = await probeHealth(peer.address, PEER_TIMEOUT_MS);
  } catch (err) {
    return fail(name, `${peer.address}: unreachable (${errorMessage(err)})`);
  }
  if (probe.status !== 'SERVING') return fail(name, `${peer.address}: health is ${probe.status}`);
  const client = new PeerClient({ id: config.id, key: key.privateKey }, peer);
  try {
    // The peer just answered the health probe: wait (within the timeout) for this fresh channel to
    // connect rather than failing on a transient first attempt, which is not what is being checked.
    await client.getHeads({ deadlineMs: PEER_TIMEOUT_MS, waitForReady: true });
  } catch (err) {
    return fail(name, `${peer.address}: SERVING, but an authenticated call failed: ${errorMessage(err)}`);
  } finally {
    client.close();
  }
  const facts = `${peer.address}: SERVING, call token accepted, ${probe.roundTripMs} ms`;
  if (probe.peerDateMs === undefined) return pass(name, `${facts}, clock not reported`);
  const skewMs = probe.peerDateMs - probe.midpointMs;
  const shown = `clock ${skewMs >= 0 ? '+' : '−'}${(Math.abs(skewMs) / 1000).toFixed(1)} s`;
  // Call tokens tolerate CLOCK_SKEW_S; past it (plus the header's rounding) calls start failing.
  if (Math.abs(skewMs) > CLOCK_SKEW_S * 1000 + SKEW_RESOLUTION_MS) return fail(name, `${facts}, ${shown}: beyond the ${CLOCK_SKEW_S} s call tokens tolerate (sync both clocks with NTP)`);
  return pass(name, `${facts}, ${shown}`);
}
