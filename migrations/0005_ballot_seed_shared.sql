-- Ballot tokens are derived, not kept: a consultation's token_seed (random,
-- drawn when it opens) and the master key give each unit's token
-- (secret.Keys.BallotToken), so the packet can be printed again while the
-- database holds nothing of a token but its SHA-256 (ballots.token_hash).
-- This replaces 0004's sealed copies of the tokens.
ALTER TABLE consultations
    ADD COLUMN token_seed bytea CHECK (length(token_seed) = 32);
DROP TABLE ballot_tokens;

-- Whether the ballot's person holds other ballots of the consultation, set
-- when it opens: the tally groups the units of such persons person by
-- person and all others by zone and choices alone (tally/inputs.go).
ALTER TABLE ballots ADD COLUMN person_shared boolean NOT NULL DEFAULT false;
UPDATE ballots b SET person_shared = true
FROM (SELECT community_id, consultation_id, person_key FROM ballots
      GROUP BY community_id, consultation_id, person_key HAVING count(*) > 1) s
WHERE b.community_id = s.community_id AND b.consultation_id = s.consultation_id AND b.person_key = s.person_key;
