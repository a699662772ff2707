import { MAX_GRPC_MESSAGE_BYTES } from '../chain/limits.js';

/** Channel options shared by every Cordon client and server. */
export const KEEPALIVE_TIME_MS = 30_000;
export const KEEPALIVE_TIMEOUT_MS = 10_000;

export const CLIENT_OPTIONS = {
  'grpc.max_send_message_length': MAX_GRPC_MESSAGE_BYTES,
  'grpc.max_receive_message_length': MAX_GRPC_MESSAGE_BYTES,
  'grpc.keepalive_time_ms': KEEPALIVE_TIME_MS,
  'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
  'grpc.keepalive_permit_without_calls': 1,
  // A restarted peer should be found again within a second or two, not minutes.
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 2_000,
  'grpc.enable_retries': 0,
} as const;

export const SERVER_OPTIONS = {
  'grpc.max_send_message_length': MAX_GRPC_MESSAGE_BYTES,
  'grpc.max_receive_message_length': MAX_GRPC_MESSAGE_BYTES,
  'grpc.keepalive_time_ms': KEEPALIVE_TIME_MS,
  'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
  // Clients ping every KEEPALIVE_TIME_MS even when idle; allow it.
  'grpc.http2.min_ping_interval_without_data_ms': KEEPALIVE_TIME_MS / 2,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.max_concurrent_streams': 256,
} as const;

/** Deadlines for client calls. */
export const UNARY_DEADLINE_MS = 15_000;
export const PUBLISH_DEADLINE_MS = 60_000;
export const STREAM_DEADLINE_MS = 120_000;

/**
 * How long the server keeps any one stream open. A stream is admitted once,
 * when it starts; ending it after this long makes its caller come back with a
 * fresh call token, so no stream outlives a change of its caller's standing by
 * more than this even if no manifest event reports the change (OpenStreams
 * ends streams at once on the events it does hear). Five minutes costs a
 * follower one reconnect per five minutes, and is under the clients' watch
 * deadline (WATCH_DEADLINE_MS, ten minutes), so an honest follower is ended
 * cleanly by the server rather than by its own deadline. Configurable as
 * `stream_lifetime_ms`.
 */
export const STREAM_LIFETIME_MS = 5 * 60_000;

/**
 * Trailer on the OK status of a server stream the server ended at its
 * lifetime rather than because it was complete: the client reopens it from
 * where it got to (PeerClient.stream `resume`).
 */
export const STREAM_END_TRAILER = 'cordon-stream-end';
export const STREAM_END_LIFETIME = 'lifetime';
