-- Filed reports and the regulator's exports (DESIGN.md §7, issue 5 items 4–5).

-- Reports providers filed to the regulator, exactly as signed, with the
-- regulator's receipt. On the regulator's node: everything filed to it. On a
-- provider's node: what it filed, with the receipts it holds as proof.
-- `report` holds the serialized cordon.v1.Report bytes (never re-encoded);
-- provider_id and campaign_ref are copied out of them for lookups only.
CREATE TABLE filed_reports (
  digest bytea PRIMARY KEY CHECK (length(digest) = 32),
  provider_id text NOT NULL,
  campaign_ref text NOT NULL,
  report bytea NOT NULL,
  provider_signature text NOT NULL,
  regulator_id text NOT NULL,
  received_ms bigint NOT NULL,
  receipt_signature text NOT NULL
);
CREATE INDEX filed_reports_received ON filed_reports (received_ms, digest);
CREATE INDEX filed_reports_provider ON filed_reports (provider_id, received_ms, digest);

-- Consortium nodes: the transparency-log leaf each filed report got, so a
-- resubmission answers the same leaf instead of appending another.
CREATE TABLE report_log_leaves (
  digest bytea PRIMARY KEY CHECK (length(digest) = 32),
  provider_id text NOT NULL,
  leaf_index bigint NOT NULL CHECK (leaf_index >= 0),
  recorded_at timestamptz NOT NULL DEFAULT now()
);

-- The regulator's TAXII 2.1 server: every version of every STIX object it has
-- offered, with the time it was added (TAXII's date_added, server-assigned,
-- strictly increasing). `version` is the object's `modified` in the fixed
-- form YYYY-MM-DDTHH:MM:SS.mmmZ, so text order is time order. `object` is
-- the serialized JSON, served as is.
CREATE TABLE taxii_objects (
  collection_id text NOT NULL,
  object_id text NOT NULL,
  version text NOT NULL,
  type text NOT NULL,
  date_added_us bigint NOT NULL,
  object text NOT NULL,
  PRIMARY KEY (collection_id, object_id, version)
);
CREATE INDEX taxii_objects_added ON taxii_objects (collection_id, date_added_us, object_id, version);

-- The regulator's analysts who may read TAXII: a name and the SHA-256 of a
-- random secret token (high-entropy, so a plain hash is enough; the token
-- itself is shown once, at creation).
CREATE TABLE taxii_users (
  name text PRIMARY KEY,
  token_sha256 bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
