-- Each counted ballot keeps its whole choice set with the cast: the
-- matters and choices of its cast_choices rows, in matter then choice
-- (byte, COLLATE "C") order. The tally groups the ballots by that set, so it reads one row per
-- unit instead of gathering every unit's cast_choices rows first (100,000
-- ballots × 3 matters: the aggregation took most of the tally). The rows
-- of cast_choices stay what the ballot log, receipts and the ballot page
-- read; the cast statement writes both from the same input.
ALTER TABLE casts ADD COLUMN matter_ids bigint[], ADD COLUMN choices text[];

ALTER TABLE casts DISABLE TRIGGER casts_append_only;
UPDATE casts k SET matter_ids = s.matter_ids, choices = s.choices
FROM (
    SELECT community_id, consultation_id, unit_id,
           array_agg(matter_id ORDER BY matter_id, choice COLLATE "C") AS matter_ids, array_agg(choice ORDER BY matter_id, choice COLLATE "C") AS choices
    FROM cast_choices GROUP BY community_id, consultation_id, unit_id
) s
WHERE s.community_id = k.community_id AND s.consultation_id = k.consultation_id AND s.unit_id = k.unit_id;
UPDATE casts SET matter_ids = '{}', choices = '{}' WHERE matter_ids IS NULL;
ALTER TABLE casts ENABLE TRIGGER casts_append_only;

ALTER TABLE casts ALTER COLUMN matter_ids SET NOT NULL, ALTER COLUMN choices SET NOT NULL,
    ADD CONSTRAINT casts_choice_set CHECK (cardinality(matter_ids) = cardinality(choices));
