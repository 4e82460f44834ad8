-- Each counted ballot keeps, with the cast, what the tally groups it by:
-- its choice set — the matters and choices of its cast_choices rows, in
-- matter then choice (byte, COLLATE "C") order — and its ballot's zone,
-- area and, only when the owner holds several units in scope, person
-- (ballots.person_key where person_shared; NULL otherwise). The tally then
-- groups the casts on their own, and the ballots on their own for the
-- population, instead of joining them and gathering every unit's
-- cast_choices rows first (100,000 ballots × 3 matters: that aggregation
-- took most of the tally). A ballot is a copy made at opening and never
-- changes, so neither does the copy. The rows of cast_choices stay what
-- the ballot log, receipts and the ballot page read; the cast statement
-- writes both from the same input, and the ledger audit compares them.
ALTER TABLE casts ADD COLUMN matter_ids bigint[], ADD COLUMN choices text[],
    ADD COLUMN zone text, ADD COLUMN area_centi bigint, ADD COLUMN shared_person text;

ALTER TABLE casts DISABLE TRIGGER casts_append_only;
UPDATE casts k SET matter_ids = s.matter_ids, choices = s.choices
FROM (
    SELECT community_id, consultation_id, unit_id,
           array_agg(matter_id ORDER BY matter_id, choice COLLATE "C") AS matter_ids,
           array_agg(choice ORDER BY matter_id, choice COLLATE "C") AS choices
    FROM cast_choices GROUP BY community_id, consultation_id, unit_id
) s
WHERE s.community_id = k.community_id AND s.consultation_id = k.consultation_id AND s.unit_id = k.unit_id;
UPDATE casts SET matter_ids = '{}', choices = '{}' WHERE matter_ids IS NULL;
UPDATE casts k SET zone = b.zone, area_centi = b.area_centi,
       shared_person = CASE WHEN b.person_shared THEN b.person_key END
FROM ballots b
WHERE b.community_id = k.community_id AND b.consultation_id = k.consultation_id AND b.unit_id = k.unit_id;
ALTER TABLE casts ENABLE TRIGGER casts_append_only;

ALTER TABLE casts ALTER COLUMN matter_ids SET NOT NULL, ALTER COLUMN choices SET NOT NULL,
    ALTER COLUMN zone SET NOT NULL, ALTER COLUMN area_centi SET NOT NULL,
    ADD CONSTRAINT casts_choice_set CHECK (cardinality(matter_ids) = cardinality(choices));
