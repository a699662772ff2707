-- Provider side only: what the provider keeps about its own published records.
-- Never leaves the provider node. `normalized` holds the normalized identifiers
-- (and `skeleton` the prompt skeleton) so `cordon rotate` can re-tokenize them
-- for a new epoch without going back to raw logs.
CREATE TABLE local_records (
  record_id text PRIMARY KEY,
  account_id text,
  kind text NOT NULL CHECK (kind IN ('account', 'template')),
  epoch integer NOT NULL,
  normalized jsonb,
  skeleton text,
  cluster text,
  labels text[] NOT NULL DEFAULT '{}',
  score real NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retracted_at timestamptz
);
CREATE INDEX local_records_by_account ON local_records (account_id);
CREATE INDEX local_records_active ON local_records (epoch) WHERE retracted_at IS NULL;
