import { generateKeyPairSync } from 'node:crypto';
import type { IntersectRequest, IntersectResponse } from '../../../src/gen/cordon/v1/psi_pb.js';
import { BlindingKey } from '../../../src/investigate/psi/curve/blinding-key.js';
import { InlineEngine } from '../../../src/investigate/psi/engine/inline-engine.js';
import { runInitiator } from '../../../src/investigate/psi/protocol/initiator.js';
import { memoryPair, type Taps } from '../../../src/investigate/psi/protocol/memory-pair.js';
import { modeOf, type ModeName } from '../../../src/investigate/psi/protocol/modes.js';
import type { PsiOutcome } from '../../../src/investigate/psi/protocol/party.js';
import { runResponder } from '../../../src/investigate/psi/protocol/responder.js';

/** Both roles of a PSI session in one process over a memory pair, for the psi*.test.ts files. */
export const IDS = { initiator: 'lab-a', responder: 'lab-b' };
const identities = { a: generateKeyPairSync('ed25519'), b: generateKeyPairSync('ed25519') };

export interface SessionRun {
  initiator: PromiseSettledResult<PsiOutcome>;
  responder: PromiseSettledResult<PsiOutcome>;
  /** Every message each party received, as decoded from the wire. */
  receivedByResponder: IntersectRequest[];
  receivedByInitiator: IntersectResponse[];
}

export async function runSession(
  X: readonly string[],
  Y: readonly string[],
  mode: ModeName,
  opts: { keys?: { a: BlindingKey; b: BlindingKey }; taps?: Taps; responderMode?: ModeName; kind?: string; idleTimeoutMs?: number } = {},
): Promise<SessionRun> {
  const receivedByResponder: IntersectRequest[] = [];
  const receivedByInitiator: IntersectResponse[] = [];
  const pair = memoryPair({
    toResponder: (m) => {
      const out = opts.taps?.toResponder ? opts.taps.toResponder(m) : [m];
      receivedByResponder.push(...out);
      return out;
    },
    toInitiator: (m) => {
      const out = opts.taps?.toInitiator ? opts.taps.toInitiator(m) : [m];
      receivedByInitiator.push(...out);
      return out;
    },
  });
  const common = { ...(opts.idleTimeoutMs ? { idleTimeoutMs: opts.idleTimeoutMs } : {}) };
  const [initiator, responder] = await Promise.allSettled([
    runInitiator(pair.initiator, {
      ...common,
      self: { id: IDS.initiator, key: identities.a.privateKey },
      peer: { id: IDS.responder, publicKey: identities.b.publicKey },
      set: { kind: opts.kind ?? 'raw', elements: X },
      mode: modeOf(mode),
      engine: new InlineEngine(opts.keys?.a),
    }),
    runResponder(pair.responder, {
      ...common,
      self: { id: IDS.responder, key: identities.b.privateKey },
      peer: { id: IDS.initiator, publicKey: identities.a.publicKey },
      admit: async () => ({ set: { kind: 'raw', elements: Y }, mode: modeOf(opts.responderMode ?? mode), engine: new InlineEngine(opts.keys?.b) }),
    }),
  ]);
  return { initiator, responder, receivedByResponder, receivedByInitiator };
}

export const intersect = (X: readonly string[], Y: readonly string[]): string[] => [...new Set(X)].filter((x) => Y.includes(x)).sort();

export function fulfilled(r: PromiseSettledResult<PsiOutcome>): PsiOutcome {
  if (r.status === 'rejected') throw r.reason;
  return r.value;
}

/** The public identity keys, for checking signatures. */
export const identityKeys = { initiator: identities.a.publicKey, responder: identities.b.publicKey };
