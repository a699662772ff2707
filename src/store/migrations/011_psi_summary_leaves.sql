-- Consortium nodes: the transparency-log leaf each PSI session's signed
-- summary got (src/investigate/psi/audit), so a session is logged once: a
-- resend of the same summary answers this leaf, a different one is refused.
-- A session is named by its id and its two parties: keyed by the id alone, a
-- provider who read a session id in one node's log could record a summary of
-- its own under that id at another node first, and keep the real one out.
-- Sessions logged before this migration are not here (at most one more leaf each).
CREATE TABLE psi_summary_leaves (
  session_id bytea NOT NULL CHECK (length(session_id) = 16),
  initiator_id text NOT NULL,
  responder_id text NOT NULL,
  entry_digest bytea NOT NULL CHECK (length(entry_digest) = 32),
  leaf_index bigint NOT NULL CHECK (leaf_index >= 0),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, initiator_id, responder_id)
);
