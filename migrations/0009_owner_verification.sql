-- Owner verification for online votes (DESIGN §5.2) and which units a
-- packet may be printed for (§5).

-- Which verification the online cast passed, and when; 'none' for paper,
-- for a vote that asks none, and for casts before this migration.
ALTER TABLE casts
    ADD COLUMN verification text NOT NULL DEFAULT 'none' CHECK (verification IN ('none', 'id_number', 'sms')),
    ADD COLUMN verified_at timestamptz,
    ADD CONSTRAINT casts_verified_at CHECK ((verification = 'none') = (verified_at IS NULL));

-- One ballot's verification attempts (verification.State): wrong ID
-- numbers and the lock-out they earn, the last SMS code — only its keyed
-- hash (secret.Keys.CodeHash) — with its expiry and wrong tries, the codes
-- sent in the last hour, and the last pass. Nothing here is an ID number,
-- a code or a token; rows matter only for minutes and may be deleted once
-- the vote has closed.
CREATE TABLE ballot_verifications (
    community_id    bigint NOT NULL,
    consultation_id bigint NOT NULL,
    unit_id         text NOT NULL,
    failures        int NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    passed          text NOT NULL DEFAULT '' CHECK (passed IN ('', 'id_number', 'sms')),
    passed_at       timestamptz,
    code_hash       bytea,
    code_expires    timestamptz,
    code_tries      int NOT NULL DEFAULT 0,
    sends           timestamptz[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (community_id, consultation_id, unit_id),
    FOREIGN KEY (community_id, consultation_id, unit_id) REFERENCES ballots (community_id, consultation_id, unit_id)
);
