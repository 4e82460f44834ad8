-- Evidence of paper ballots (DESIGN §5, §5.3): the reason a ballot is
-- spoiled, the proxy's keyed ID-number hash (never the number), and the
-- uploaded originals — the scan of the ballot and of a proxy's signed
-- authorisation.

ALTER TABLE paper_entries
    ADD COLUMN spoiled_reason text NOT NULL DEFAULT ''
        CHECK (spoiled_reason IN ('', 'unreadable', 'several_choices', 'unsigned', 'not_issued')),
    ADD COLUMN spoiled_note text NOT NULL DEFAULT '',
    ADD COLUMN proxy_key text NOT NULL DEFAULT '';
-- The per-proxy cap counts a consultation's entries by proxy.
CREATE INDEX paper_entries_proxy ON paper_entries (community_id, consultation_id, state) WHERE proxy_name <> '';

-- An original, in PostgreSQL so that the database backup carries it with
-- the ballot it proves; one per entry and kind, written once. The ballot
-- scan's sha256 is part of its cast's log leaf.
CREATE TABLE paper_originals (
    community_id bigint NOT NULL,
    entry_id     bigint NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('ballot', 'authorisation')),
    content_type text NOT NULL CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    sha256       bytea NOT NULL CHECK (length(sha256) = 32),
    content      bytea NOT NULL CHECK (length(content) BETWEEN 1 AND 10485760),
    uploaded_by  bigint NOT NULL REFERENCES accounts (id),
    uploaded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community_id, entry_id, kind),
    FOREIGN KEY (community_id, entry_id) REFERENCES paper_entries (community_id, id)
);
CREATE TRIGGER paper_originals_append_only BEFORE UPDATE OR DELETE ON paper_originals
    FOR EACH ROW EXECUTE FUNCTION refuse_record_change();
CREATE TRIGGER paper_originals_no_truncate BEFORE TRUNCATE ON paper_originals
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_record_change();
