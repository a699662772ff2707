-- Consortium and regulator side: incremental matching (DESIGN.md §5).
-- Everything here is derived from `batches`/`records` by src/match/matcher.ts,
-- one batch per transaction, so it can always be rebuilt from the chains.

-- Which accepted batches the matcher has processed. Set in the matcher's
-- transaction together with everything the batch produced.
ALTER TABLE batches ADD COLUMN matched boolean NOT NULL DEFAULT false;
CREATE INDEX batches_unmatched ON batches (provider_id, seq) WHERE NOT matched;

-- Token postings are not a table: the matcher keeps them in memory
-- (src/match/token-index.ts), rebuilt from `records` at start. Templates are
-- few, so their band postings are rows.

-- LSH band postings of template records (bkey: first 8 bytes of the band digest).
CREATE TABLE match_bands (
  bkey bigint NOT NULL,
  epoch integer NOT NULL,
  provider_id text NOT NULL,
  record_id text NOT NULL,
  published_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX match_bands_by_bkey ON match_bands (bkey) INCLUDE (provider_id, record_id, published_at, expires_at);

-- A link: a token held by ≥ 2 active records, or a pair of similar templates.
-- A link whose records span ≥ 2 providers is an overlap.
CREATE TABLE links (
  link_id text PRIMARY KEY,
  epoch integer NOT NULL,
  basis text NOT NULL CHECK (basis IN ('token', 'template')),
  token_kind smallint,
  token bytea,
  similarity real,
  providers text[] NOT NULL,
  record_count integer NOT NULL,
  campaign_id text,
  formed_at timestamptz NOT NULL,
  withdrawn_at timestamptz
);
CREATE INDEX links_by_campaign ON links (campaign_id) WHERE withdrawn_at IS NULL;

CREATE TABLE link_members (
  link_id text NOT NULL REFERENCES links (link_id),
  provider_id text NOT NULL,
  record_id text NOT NULL,
  published_at timestamptz NOT NULL,
  PRIMARY KEY (link_id, provider_id, record_id)
);
CREATE INDEX link_members_by_record ON link_members (provider_id, record_id);

-- Connected groups of linked records. A group spanning ≥ 2 providers is a
-- campaign; its id is the id of its founding overlap, so every node that
-- holds the same chains names it alike.
CREATE TABLE campaigns (
  campaign_id text PRIMARY KEY,
  epoch integer NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'withdrawn', 'merged')),
  merged_into text,
  providers text[] NOT NULL,
  record_count integer NOT NULL,
  account_count integer NOT NULL,
  template_count integer NOT NULL,
  token_kinds smallint[] NOT NULL,
  max_similarity real NOT NULL,
  mean_provider_score real NOT NULL,
  confirmed integer NOT NULL DEFAULT 0,
  false_positive integer NOT NULL DEFAULT 0,
  score real NOT NULL,
  labels text[] NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  founded_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE campaign_records (
  provider_id text NOT NULL,
  record_id text NOT NULL,
  campaign_id text NOT NULL,
  PRIMARY KEY (provider_id, record_id)
);
CREATE INDEX campaign_records_by_campaign ON campaign_records (campaign_id);

-- Timeline: what happened to a campaign, in order.
CREATE TABLE campaign_events (
  id bigserial PRIMARY KEY,
  campaign_id text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  kind text NOT NULL,
  detail jsonb NOT NULL
);
CREATE INDEX campaign_events_by_campaign ON campaign_events (campaign_id, id);

-- Alerts, per recipient (a provider id, or '@consortium' for the operator).
-- cursor orders delivery: every transaction that inserts alerts first takes
-- the alerts advisory lock (src/match/store/alert-store.ts), so cursors
-- commit in increasing order and a watcher resuming after cursor c misses
-- nothing. alert_id is deterministic (src/match/ids.ts), so the same alert
-- from two consortium nodes carries the same id.
CREATE TABLE alerts (
  cursor bigserial PRIMARY KEY,
  alert_id text NOT NULL,
  recipient text NOT NULL,
  kind text NOT NULL,
  campaign_id text,
  link_id text,
  body jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (recipient, alert_id)
);
CREATE INDEX alerts_by_recipient ON alerts (recipient, cursor);
CREATE INDEX alerts_by_link ON alerts (link_id) WHERE link_id IS NOT NULL;
CREATE INDEX alerts_by_id ON alerts (alert_id);

-- Signed feedback on an overlap, one verdict per provider (the latest wins).
CREATE TABLE feedback (
  link_id text NOT NULL,
  provider_id text NOT NULL,
  verdict text NOT NULL CHECK (verdict IN ('confirmed', 'false_positive')),
  jws text NOT NULL,
  signed_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (link_id, provider_id)
);

-- Tokens that link nothing: listed in the manifest's never_match policy
-- (shared egress, NAT ranges, test accounts), or quarantined by the matcher
-- after suddenly linking an implausible number of records.
CREATE TABLE excluded_tokens (
  epoch integer NOT NULL,
  kind smallint NOT NULL,
  token bytea NOT NULL,
  reason text NOT NULL CHECK (reason IN ('never_match', 'quarantine')),
  record_count integer,
  excluded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (epoch, kind, token)
);

-- Provider side: alerts received from consortium nodes, deduplicated by id
-- (the same alert arrives from every consortium node), and how far each
-- node's stream has been read. A row and its cursor are written together.
CREATE TABLE alert_inbox (
  seq bigserial PRIMARY KEY,
  alert_id text NOT NULL UNIQUE,
  kind integer NOT NULL,
  alert bytea NOT NULL,
  received_from text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE alert_cursors (
  node_id text PRIMARY KEY,
  cursor bigint NOT NULL
);
