-- Consortium node: oblivious tokenization (DESIGN.md §4, src/federation/oprf).

-- This node's share of each epoch's OPRF key, one row per key generation it
-- holds (resharing makes generation g+1 and deletes the row of g). The share
-- scalar itself is only ever stored sealed: a JWE to this node's own X25519
-- key, so a copy of the database without enc-key.jwk reveals no share.
-- key_info is the public OprfKeyInfo (threshold, holders, Feldman
-- commitments) exactly as the node signs and serves it.
CREATE TABLE oprf_key_shares (
  epoch bigint NOT NULL CHECK (epoch BETWEEN 1 AND 4294967295),
  generation integer NOT NULL CHECK (generation >= 1),
  share_index integer NOT NULL CHECK (share_index >= 1),
  key_info bytea NOT NULL,
  share_jwe text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (epoch, generation)
);

-- Evaluations served per provider per UTC day: the budget the manifest's
-- policy.oprf_evaluations_per_day caps. Counts only, never inputs.
CREATE TABLE oprf_usage (
  provider_id text NOT NULL,
  day date NOT NULL,
  evaluations bigint NOT NULL CHECK (evaluations >= 0),
  batches bigint NOT NULL CHECK (batches >= 0),
  PRIMARY KEY (provider_id, day)
);
