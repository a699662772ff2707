-- Equivocation evidence is bounded (src/federation/chain/limits.ts,
-- MAX_EVIDENCE_PER_PROVIDER). The first conflicting batch at a sequence
-- number proves the equivocation, so a node keeps one per (provider, seq):
-- the table's key becomes (provider_id, seq). Rows held from before the bound
-- are cut to it: at each seq the earliest detected is kept, and per provider
-- the earliest 16 (MAX_EVIDENCE_PER_PROVIDER when this migration was written).

DELETE FROM equivocations e
USING (
  SELECT provider_id, seq, conflicting_digest,
         row_number() OVER (PARTITION BY provider_id, seq ORDER BY detected_at, conflicting_digest) AS n
  FROM equivocations
) ranked
WHERE ranked.n > 1
  AND e.provider_id = ranked.provider_id AND e.seq = ranked.seq AND e.conflicting_digest = ranked.conflicting_digest;

DELETE FROM equivocations e
USING (
  SELECT provider_id, seq, row_number() OVER (PARTITION BY provider_id ORDER BY detected_at, seq) AS n
  FROM equivocations
) ranked
WHERE ranked.n > 16
  AND e.provider_id = ranked.provider_id AND e.seq = ranked.seq;

ALTER TABLE equivocations DROP CONSTRAINT equivocations_pkey;
ALTER TABLE equivocations ADD PRIMARY KEY (provider_id, seq);
