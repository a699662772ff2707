-- Consortium node: RFC 9162 Merkle transparency log of everything it accepted
-- (DESIGN.md §7). Indices are assigned by one sequencer (a transaction-level
-- advisory lock in src/audit/transparency-log.ts), never by a sequence, so they
-- are gap-free: 0 .. size − 1.

-- Leaves. leaf_hash = SHA-256(0x00 || entry) (RFC 9162 §2.1.1); kind and ref are
-- lookup metadata only — whatever must be committed to belongs inside `entry`.
CREATE TABLE log_entries (
  idx bigint PRIMARY KEY CHECK (idx >= 0),
  leaf_hash bytea NOT NULL CHECK (length(leaf_hash) = 32),
  kind text NOT NULL,
  ref text NOT NULL,
  entry bytea NOT NULL,
  appended_at timestamptz NOT NULL DEFAULT now()
);

-- Every completed perfect subtree above the leaves: (level h ≥ 1, idx) covers
-- leaves [idx·2^h, (idx+1)·2^h). Immutable once written.
CREATE TABLE log_nodes (
  level smallint NOT NULL CHECK (level >= 1 AND level <= 63),
  idx bigint NOT NULL CHECK (idx >= 0),
  hash bytea NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (level, idx)
);

-- Signed tree heads (one per size: the first signed at that size is kept).
CREATE TABLE tree_heads (
  size bigint PRIMARY KEY CHECK (size >= 0),
  root bytea NOT NULL CHECK (length(root) = 32),
  kid text NOT NULL,
  signature text NOT NULL,
  signed_at timestamptz NOT NULL
);
