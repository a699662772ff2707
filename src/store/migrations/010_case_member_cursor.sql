-- A member's case listing is ordered by a cursor of its own (1, 2, 3, … per
-- member) instead of the table's global sequence. The global one advanced
-- once per participant of every case, so the step between two cases an opener
-- opened counted the providers the first one asked: the rule "never tell the
-- opener who was asked" (src/investigate/cases/store/case-store.ts assigns
-- it, under a per-member lock, so a member's cursors also follow commit order).

ALTER TABLE investigation_participants ADD COLUMN member_cursor bigint;

UPDATE investigation_participants p SET member_cursor = ranked.n
FROM (SELECT cursor, row_number() OVER (PARTITION BY member_id ORDER BY cursor) AS n FROM investigation_participants) ranked
WHERE p.cursor = ranked.cursor;

ALTER TABLE investigation_participants ALTER COLUMN member_cursor SET NOT NULL;
CREATE UNIQUE INDEX investigation_participants_member_cursor ON investigation_participants (member_id, member_cursor);
DROP INDEX investigation_participants_member;
