-- Transparency log, stored as tiles; accepted batches logged; the regulator's
-- witness (DESIGN.md §7, issue 5 items 1–2).

-- 003 stored one row per leaf and one per node: at 10M leaves that is 20M rows
-- and appends far below 100k leaves/s. Nothing but tests wrote those tables.
-- Their replacement keeps the tile layout of C2SP tlog-tiles (see
-- src/audit/tiles/geometry.ts): ~1 row per 256 leaves.
DROP TABLE log_entries;
DROP TABLE log_nodes;
DROP TABLE tree_heads;

-- Every Merkle log this node stores: its own (log_id '', which no member id can
-- be) and, on the regulator, its copy of each consortium node's log (log_id =
-- that node's member id). The row is the log's sequencer (locked FOR UPDATE by
-- appenders) and `size` is authoritative: indices are 0 .. size − 1, gap-free.
CREATE TABLE merkle_logs (
  log_id text PRIMARY KEY,
  size bigint NOT NULL DEFAULT 0 CHECK (size >= 0)
);

-- Leaf data, 256 leaves per bundle (bundle idx covers leaves [256·idx, 256·idx + n)):
-- each leaf as a 4-byte big-endian length then its bytes. Only the last bundle
-- may hold fewer than 256; it is extended, never rewritten.
CREATE TABLE merkle_bundles (
  log_id text NOT NULL,
  idx bigint NOT NULL CHECK (idx >= 0),
  data bytea NOT NULL,
  PRIMARY KEY (log_id, idx)
);

-- Hash tiles: tile (level, idx) holds the hashes of the tree nodes at tree
-- level 8·level with indices [256·idx, 256·idx + n), packed, 32 bytes each.
CREATE TABLE merkle_tiles (
  log_id text NOT NULL,
  level smallint NOT NULL CHECK (level >= 0 AND level <= 7),
  idx bigint NOT NULL CHECK (idx >= 0),
  hashes bytea NOT NULL CHECK (length(hashes) BETWEEN 32 AND 8192 AND length(hashes) % 32 = 0),
  PRIMARY KEY (log_id, level, idx)
);

-- Hashes and signed leaf data do not compress: skip TOAST's compression attempt.
ALTER TABLE merkle_bundles ALTER COLUMN data SET STORAGE EXTERNAL;
ALTER TABLE merkle_tiles ALTER COLUMN hashes SET STORAGE EXTERNAL;

-- Signed tree heads. For the node's own log (log_id ''): every head it signed,
-- one per size. For a copy: every head of that log the witness accepted.
CREATE TABLE tree_heads (
  log_id text NOT NULL,
  size bigint NOT NULL CHECK (size >= 0),
  root bytea NOT NULL CHECK (length(root) = 32),
  timestamp_ms bigint NOT NULL,
  kid text NOT NULL,
  signature text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (log_id, size)
);

-- Consortium nodes: the leaf each accepted batch got in the node's own log;
-- NULL until the integrator has logged it (src/audit/integrate). The partial
-- index keeps finding the (few) pending batches cheap however long chains grow.
ALTER TABLE batches ADD COLUMN log_idx bigint;
CREATE INDEX batches_unlogged ON batches (provider_id, seq) WHERE log_idx IS NULL;

-- Consortium nodes: the newest signed head seen from each peer's log, plus any
-- head that did not prove consistent with the one before it (kept as
-- evidence). A witness pulls these to catch a log that shows different trees
-- to different clients.
CREATE TABLE observed_tree_heads (
  log_id text NOT NULL,
  size bigint NOT NULL CHECK (size >= 0),
  root bytea NOT NULL CHECK (length(root) = 32),
  timestamp_ms bigint NOT NULL,
  kid text NOT NULL,
  signature text NOT NULL,
  observed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (log_id, size, root)
);

-- Regulator: the batch leaves of each copied log, indexed, so chains can be
-- compared across consortium nodes without decoding leaves again. One row per
-- log and batch position: a log that records one position twice keeps its
-- first (and cannot blow up the cross-log comparison).
CREATE TABLE witness_batch_leaves (
  log_id text NOT NULL,
  provider_id text NOT NULL,
  seq bigint NOT NULL,
  digest bytea NOT NULL CHECK (length(digest) = 32),
  leaf_idx bigint NOT NULL,
  PRIMARY KEY (provider_id, seq, log_id)
);
CREATE INDEX witness_batch_leaves_leaf ON witness_batch_leaves (log_id, leaf_idx);

-- Regulator: what the witness found. One row per distinct finding (`subject`
-- names it, e.g. the log and the accepted size it contradicts); seeing it again
-- bumps `seen` and `last_seen_at`. `evidence` holds the signed heads, proofs
-- and digests that make the finding checkable by anyone.
CREATE TABLE witness_findings (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('rollback', 'fork', 'split_view', 'equivocation', 'bad_entries', 'unlogged_batch')),
  subject text NOT NULL,
  log_id text,
  provider_id text,
  detail text NOT NULL,
  evidence jsonb NOT NULL,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  seen integer NOT NULL DEFAULT 1,
  UNIQUE (kind, subject)
);
