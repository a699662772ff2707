/**
 * One side of a bidirectional message stream: all the protocol needs from a
 * transport. gRPC streams (src/federation) and in-memory pairs (tests)
 * implement it; the protocol never sees which.
 */
export interface Conversation<In, Out> {
  /** The peer's next message; undefined once the peer closed its side. Rejects when the stream failed. */
  receive(): Promise<In | undefined>;
  /** Sends one message; resolves once the transport can take more (backpressure). */
  send(msg: Out): Promise<void>;
  /** Closes our side after our last message. */
  end(): void;
  /** Tears the stream down after a failure; the peer sees `err`'s message. */
  abort(err: Error): void;
}
