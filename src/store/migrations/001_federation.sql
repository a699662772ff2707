-- Consortium and regulator side: every provider's signed chain, as received.

-- The newest batch held per provider chain. Its row lock serializes
-- acceptance per provider; different providers commit in parallel.
CREATE TABLE chain_heads (
  provider_id text PRIMARY KEY,
  seq bigint NOT NULL,
  digest bytea NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Each batch exactly as signed: `batch` holds the bytes the signature covers.
CREATE TABLE batches (
  provider_id text NOT NULL,
  seq bigint NOT NULL,
  digest bytea NOT NULL,
  prev_digest bytea NOT NULL,
  created_at timestamptz NOT NULL,
  batch bytea NOT NULL,
  signature text NOT NULL,
  record_count integer NOT NULL,
  retraction_count integer NOT NULL,
  received_from text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider_id, seq)
);

-- Records extracted from accepted batches (derived from `batches`; kept as
-- rows so later stages can query them without decoding batches).
-- tokens: concatenated 33-byte entries, one kind byte then the 32-byte token.
CREATE TABLE records (
  provider_id text NOT NULL,
  record_id text NOT NULL,
  seq bigint NOT NULL,
  epoch integer NOT NULL,
  kind smallint NOT NULL,
  tokens bytea NOT NULL,
  template_minhash bytea,
  template_bands bytea,
  labels text[] NOT NULL,
  score real NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  retracted_seq bigint
);
CREATE INDEX records_by_provider_record ON records (provider_id, record_id);

CREATE TABLE retractions (
  provider_id text NOT NULL,
  record_id text NOT NULL,
  seq bigint NOT NULL,
  reason text NOT NULL,
  PRIMARY KEY (provider_id, seq, record_id)
);

-- Evidence: a validly signed batch that conflicts with the one held.
-- kind 'same_seq': a different batch at a held sequence number;
-- kind 'fork': a batch whose prev_digest is not the held predecessor's digest.
CREATE TABLE equivocations (
  provider_id text NOT NULL,
  seq bigint NOT NULL,
  kind text NOT NULL,
  held_digest bytea NOT NULL,
  conflicting_digest bytea NOT NULL,
  conflicting_batch bytea NOT NULL,
  conflicting_signature text NOT NULL,
  reported_by text NOT NULL,
  detected_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider_id, seq, conflicting_digest)
);

-- Provider side: the provider's own chain. A batch is written here, signed,
-- before it is sent anywhere, so a crash never makes the provider sign a
-- second, different batch for a sequence number.
CREATE TABLE outbox (
  seq bigint PRIMARY KEY,
  digest bytea NOT NULL,
  batch bytea NOT NULL,
  signature text NOT NULL,
  record_count integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Provider side: the highest sequence number each consortium node acknowledged.
CREATE TABLE deliveries (
  consortium_id text PRIMARY KEY,
  acked_seq bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
