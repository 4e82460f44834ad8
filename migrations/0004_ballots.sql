-- Consultations and ballots (issue 4): what 0001 left out.

-- Why a matter is major under Article 278 (raise_fund 筹集维修资金, rebuild
-- 改建重建, common_parts 改变共有部分用途或利用共有部分从事经营), and how a
-- choice matter picks its winner (approval: the option must meet the rule;
-- plurality: advisory, most support wins).
ALTER TABLE matters
    ADD COLUMN flags jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN choice_mode text NOT NULL DEFAULT 'approval' CHECK (choice_mode IN ('approval', 'plurality')),
    ADD CONSTRAINT matters_major_flags CHECK (flags = '[]'::jsonb OR category = 'major');

-- The ballot token sealed under the server's master key (AES-256-GCM, the
-- label binding it to its estate, consultation and unit), kept only so the
-- ballot packet can be printed again — a lost stack, one stairwell's pages,
-- a spoiled sheet. ballots.token_hash stays the only way a token is looked
-- up; a database dump without the master key reveals no token. The sealed
-- copies may be forgotten (DELETE) once voting has ended: nothing else reads
-- them.
CREATE TABLE ballot_tokens (
    community_id    bigint NOT NULL,
    consultation_id bigint NOT NULL,
    unit_id         text NOT NULL,
    sealed          bytea NOT NULL,
    PRIMARY KEY (community_id, consultation_id, unit_id),
    FOREIGN KEY (community_id, consultation_id, unit_id) REFERENCES ballots (community_id, consultation_id, unit_id)
);

-- Why a paper entry was rejected (a misread sheet, a duplicate of a ballot
-- counted meanwhile), and the paper queue by consultation and state.
ALTER TABLE paper_entries ADD COLUMN note text NOT NULL DEFAULT '';
CREATE INDEX paper_entries_queue ON paper_entries (community_id, consultation_id, state, id);

-- Listing an estate's consultations, newest first.
CREATE INDEX consultations_list ON consultations (community_id, created_at DESC);

-- 0001's casts_salt index, (community_id, consultation_id, salt), shares
-- its first two columns with the casts primary key. On a casts table
-- without statistics — a new server, the first minutes of a vote — the
-- planner takes either for "this unit's cast", and with casts_salt the
-- check of every cast_choices row against casts (and the ballot page's
-- join) becomes a scan of all the consultation's casts: casting slowed
-- fivefold at 3,762 units. Leading with the salt keeps the index to what
-- it is for: receipts are unique, and found by their salt.
DROP INDEX casts_salt;
CREATE UNIQUE INDEX casts_salt ON casts (salt, community_id, consultation_id);
