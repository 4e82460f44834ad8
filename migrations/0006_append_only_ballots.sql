-- Issued ballots and the audit trail never change (DESIGN §5, §9). A
-- ballot's copy of its unit — zone, place, area, person — is what the
-- tally weighs, so no UPDATE of any column is allowed once it is issued
-- (person_shared is set in the same INSERT), and no ballot is deleted.
-- Audit entries are append-only. The triggers hold for every role; the
-- role gongjue serve runs as (postgres.GrantServe) owns nothing, so it
-- cannot disable them, and holds no UPDATE or DELETE on these tables.

CREATE FUNCTION refuse_append_only_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: its rows cannot be changed or deleted', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER ballots_append_only BEFORE UPDATE OR DELETE ON ballots
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER ballots_no_truncate BEFORE TRUNCATE ON ballots
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change();
