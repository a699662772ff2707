import type { IntersectRequest, IntersectResponse } from '../../../gen/cordon/v1/psi_pb.js';
import type { BidiCall } from '../../../federation/client/peer-client.js';
import type { BidiStreamIO } from '../../../federation/grpc/handlers.js';
import type { Conversation } from '../protocol/conversation.js';

/** The initiator's conversation over a client-side gRPC stream (PeerClient.bidi). */
export function clientConversation(call: BidiCall<IntersectRequest, IntersectResponse>): Conversation<IntersectResponse, IntersectRequest> {
  return { receive: () => call.receive(), send: (msg) => call.send(msg), end: () => call.end(), abort: () => call.cancel() };
}

/**
 * The responder's conversation over a served gRPC stream (handlers.ts
 * bidiStream). Ending and failing are the pipeline's: the handler returning
 * ends the call with OK, the handler throwing ends it with that error's status.
 */
export function serverConversation(io: BidiStreamIO<IntersectRequest, IntersectResponse>): Conversation<IntersectRequest, IntersectResponse> {
  return { receive: () => io.receive(), send: (msg) => io.send(msg), end: () => undefined, abort: () => undefined };
}
