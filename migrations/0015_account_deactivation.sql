-- A committee ends a staff account by deactivating it (DESIGN §8): the row
-- stays, since entries, deliveries and audit entries name it.
ALTER TABLE accounts ADD COLUMN deactivated_at timestamptz;
