-- Tally and result notices (DESIGN §7): frozen results, the notice and its
-- two approvals and signatures, each estate's signing identities, and
-- extensions and lapses of votes that missed participation (§3.4).
-- Everything here is written once: results, approvals, identities,
-- extensions and signed notices never change afterwards.

CREATE FUNCTION refuse_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: a frozen result or notice record cannot be changed or deleted', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

-- The frozen result of a closed consultation. result_json is the canonical
-- JSON document exactly as hashed (result_sha256 = SHA-256 of these bytes);
-- the final checkpoint of the ballot log is recorded with it (size 0 and no
-- note when nobody voted).
CREATE TABLE results (
    community_id     bigint NOT NULL,
    consultation_id  bigint NOT NULL,
    result_json      bytea NOT NULL,
    result_sha256    bytea NOT NULL CHECK (result_sha256 = sha256(result_json)),
    closed_at        timestamptz NOT NULL,
    closed_by        bigint REFERENCES accounts (id), -- NULL: closed automatically at the closing time
    checkpoint_size  bigint NOT NULL CHECK (checkpoint_size >= 0),
    checkpoint_hash  bytea NOT NULL CHECK (length(checkpoint_hash) = 32),
    checkpoint_note  text NOT NULL DEFAULT '',
    PRIMARY KEY (community_id, consultation_id),
    FOREIGN KEY (community_id, consultation_id) REFERENCES consultations (community_id, id)
);

-- Results and notices are looked up by consultation id alone (ids are
-- unique across estates).
CREATE INDEX results_consultation ON results (consultation_id);

CREATE TRIGGER results_append_only BEFORE UPDATE OR DELETE ON results
    FOR EACH ROW EXECUTE FUNCTION refuse_record_change();
CREATE TRIGGER results_no_truncate BEFORE TRUNCATE ON results
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_record_change();

-- The result notice (公示) of a closed consultation, created with its
-- result. id is the random public notice id of /verify/{id}. The PDF is
-- rendered and signed when the second body approves; from then on the row
-- is frozen.
CREATE TABLE notices (
    community_id     bigint NOT NULL,
    consultation_id  bigint NOT NULL,
    id               text NOT NULL UNIQUE CHECK (id ~ '^[a-z2-7]{16,32}$'),
    period_days      integer NOT NULL DEFAULT 7 CHECK (period_days BETWEEN 1 AND 90),
    created_at       timestamptz NOT NULL DEFAULT now(),
    result_sha256    bytea,       -- the result the notice states, copied at signing
    unsigned_sha256  bytea,       -- SHA-256 of the rendered PDF before signing
    signed_pdf       bytea,       -- the PDF with both signatures
    pdf_sha256       bytea,       -- SHA-256 of signed_pdf
    signed_at        timestamptz,
    PRIMARY KEY (community_id, consultation_id),
    FOREIGN KEY (community_id, consultation_id) REFERENCES results (community_id, consultation_id),
    CHECK ((signed_at IS NULL) = (signed_pdf IS NULL)),
    CHECK (signed_at IS NULL OR (result_sha256 IS NOT NULL AND unsigned_sha256 IS NOT NULL
                                 AND pdf_sha256 IS NOT NULL AND pdf_sha256 = sha256(signed_pdf)))
);

-- A notice may be updated only from unsigned to signed; a signed notice,
-- and any notice's identity, never change; no notice is ever deleted.
CREATE INDEX notices_consultation ON notices (consultation_id);

CREATE FUNCTION notices_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.signed_at IS NOT NULL
       OR NEW.id <> OLD.id OR NEW.community_id <> OLD.community_id
       OR NEW.consultation_id <> OLD.consultation_id OR NEW.created_at <> OLD.created_at
       OR NEW.period_days <> OLD.period_days THEN
        RAISE EXCEPTION 'notices: a notice cannot be deleted, and a signed notice cannot be changed'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER notices_guard BEFORE UPDATE OR DELETE ON notices
    FOR EACH ROW EXECUTE FUNCTION notices_guard();
CREATE TRIGGER notices_no_truncate BEFORE TRUNCATE ON notices
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_record_change();

-- One approval per body: the owners' committee and the residents'
-- committee. A second approval by the same body is the same approval.
CREATE TABLE notice_approvals (
    community_id     bigint NOT NULL,
    consultation_id  bigint NOT NULL,
    body             text NOT NULL CHECK (body IN ('committee', 'residents_committee')),
    account_id       bigint NOT NULL REFERENCES accounts (id),
    approved_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community_id, consultation_id, body),
    FOREIGN KEY (community_id, consultation_id) REFERENCES notices (community_id, consultation_id)
);

CREATE TRIGGER notice_approvals_append_only BEFORE UPDATE OR DELETE ON notice_approvals
    FOR EACH ROW EXECUTE FUNCTION refuse_record_change();
CREATE TRIGGER notice_approvals_no_truncate BEFORE TRUNCATE ON notice_approvals
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_record_change();

-- Each body's signing identity in an estate: its private key, sealed under
-- the master key (secret.Keys.Seal), and its X.509 certificate (DER).
CREATE TABLE signing_identities (
    community_id     bigint NOT NULL REFERENCES communities (id),
    body             text NOT NULL CHECK (body IN ('committee', 'residents_committee')),
    sealed_key       bytea NOT NULL,
    certificate      bytea NOT NULL,
    cert_sha256      bytea NOT NULL CHECK (cert_sha256 = sha256(certificate)),
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community_id, body)
);

CREATE TRIGGER signing_identities_append_only BEFORE UPDATE OR DELETE ON signing_identities
    FOR EACH ROW EXECUTE FUNCTION refuse_record_change();
CREATE TRIGGER signing_identities_no_truncate BEFORE TRUNCATE ON signing_identities
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_record_change();

-- Extensions of a vote that missed participation at its deadline, and the
-- lapse of an extended vote that still missed it (§3.4). original_closes_at
-- is the closing time before any extension, from which the three-month
-- limit runs. turnout is the participation that allowed the extension (or
-- that made the vote lapse), as quorum tallies.
CREATE TABLE vote_extensions (
    community_id        bigint NOT NULL,
    consultation_id     bigint NOT NULL,
    id                  bigserial NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('extend', 'lapse')),
    original_closes_at  timestamptz NOT NULL,
    old_closes_at       timestamptz NOT NULL,
    new_closes_at       timestamptz,           -- extend only
    retable_from        timestamptz,           -- lapse only
    turnout             jsonb NOT NULL DEFAULT '{}',
    decided_by          bigint REFERENCES accounts (id),
    decided_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community_id, id),
    FOREIGN KEY (community_id, consultation_id) REFERENCES consultations (community_id, id),
    CHECK ((kind = 'extend') = (new_closes_at IS NOT NULL AND new_closes_at > old_closes_at)),
    CHECK ((kind = 'lapse') = (retable_from IS NOT NULL))
);
CREATE INDEX vote_extensions_consultation ON vote_extensions (community_id, consultation_id, id);

CREATE TRIGGER vote_extensions_append_only BEFORE UPDATE OR DELETE ON vote_extensions
    FOR EACH ROW EXECUTE FUNCTION refuse_record_change();
CREATE TRIGGER vote_extensions_no_truncate BEFORE TRUNCATE ON vote_extensions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_record_change();

-- The closer looks for open consultations past their closing time.
CREATE INDEX consultations_open_closing ON consultations (closes_at) WHERE state = 'open';
