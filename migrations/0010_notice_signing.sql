-- Issue 13: short notice numbers, the objection period, signing keys
-- sealed under each body's passphrase, and the lobby posters.

-- New notices get a short number a person can read aloud: 8 Crockford
-- characters and a check character (stored without dashes); older notices
-- keep their long ids. objection_days is the 异议期 frozen at closing.
ALTER TABLE notices DROP CONSTRAINT notices_id_check;
ALTER TABLE notices ADD CONSTRAINT notices_id_check
    CHECK (id ~ '^[a-z2-7]{16,32}$' OR id ~ '^[0-9A-HJKMNP-TV-Z]{9}$');
ALTER TABLE notices ADD COLUMN objection_days integer NOT NULL DEFAULT 0
    CHECK (objection_days BETWEEN 0 AND 90);

CREATE OR REPLACE FUNCTION notices_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.signed_at IS NOT NULL
       OR NEW.id <> OLD.id OR NEW.community_id <> OLD.community_id
       OR NEW.consultation_id <> OLD.consultation_id OR NEW.created_at <> OLD.created_at
       OR NEW.period_days <> OLD.period_days OR NEW.objection_days <> OLD.objection_days THEN
        RAISE EXCEPTION 'notices: a notice cannot be deleted, and a signed notice cannot be changed'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;

-- The one-page lobby posters (A4, A3) of a signed notice, signed the same
-- way as the full notice and stored with it.
CREATE TABLE notice_posters (
    community_id     bigint NOT NULL,
    consultation_id  bigint NOT NULL,
    layout           text NOT NULL CHECK (layout IN ('a4-poster', 'a3-poster')),
    signed_pdf       bytea NOT NULL,
    pdf_sha256       bytea NOT NULL CHECK (pdf_sha256 = sha256(signed_pdf)),
    PRIMARY KEY (community_id, consultation_id, layout),
    FOREIGN KEY (community_id, consultation_id) REFERENCES notices (community_id, consultation_id)
);
CREATE TRIGGER notice_posters_append_only BEFORE UPDATE OR DELETE ON notice_posters
    FOR EACH ROW EXECUTE FUNCTION refuse_record_change();
CREATE TRIGGER notice_posters_no_truncate BEFORE TRUNCATE ON notice_posters
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_record_change();

-- Objections to a notice (异议), recorded by the committee: who raised it,
-- when, and what it says. Append-only.
CREATE TABLE notice_objections (
    community_id     bigint NOT NULL,
    consultation_id  bigint NOT NULL,
    id               bigserial NOT NULL,
    raised_by        text NOT NULL CHECK (length(raised_by) BETWEEN 1 AND 200),
    raised_at        timestamptz NOT NULL,
    content          text NOT NULL CHECK (length(content) BETWEEN 1 AND 4000),
    recorded_by      bigint NOT NULL REFERENCES accounts (id),
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community_id, id),
    FOREIGN KEY (community_id, consultation_id) REFERENCES notices (community_id, consultation_id)
);
CREATE INDEX notice_objections_consultation ON notice_objections (community_id, consultation_id, id);
CREATE TRIGGER notice_objections_append_only BEFORE UPDATE OR DELETE ON notice_objections
    FOR EACH ROW EXECUTE FUNCTION refuse_record_change();
CREATE TRIGGER notice_objections_no_truncate BEFORE TRUNCATE ON notice_objections
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_record_change();

-- Signing keys sealed under a key derived from the body's passphrase
-- (scrypt), never under the master key. The newest row of a body is its
-- key; setting a passphrase adds a row (the same key re-sealed, or a new
-- key and certificate when the old passphrase is lost). Append-only.
CREATE TABLE signing_keys (
    community_id     bigint NOT NULL REFERENCES communities (id),
    body             text NOT NULL CHECK (body IN ('committee', 'residents_committee')),
    id               bigserial NOT NULL,
    certificate      bytea NOT NULL,
    cert_sha256      bytea NOT NULL CHECK (cert_sha256 = sha256(certificate)),
    scrypt_salt      bytea NOT NULL CHECK (length(scrypt_salt) = 16),
    scrypt_n         integer NOT NULL CHECK (scrypt_n >= 16384),
    scrypt_r         integer NOT NULL CHECK (scrypt_r >= 8),
    scrypt_p         integer NOT NULL CHECK (scrypt_p >= 1),
    sealed_key       bytea NOT NULL,
    set_by           bigint NOT NULL REFERENCES accounts (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community_id, id)
);
CREATE INDEX signing_keys_body ON signing_keys (community_id, body, id DESC);
CREATE TRIGGER signing_keys_append_only BEFORE UPDATE OR DELETE ON signing_keys
    FOR EACH ROW EXECUTE FUNCTION refuse_record_change();
CREATE TRIGGER signing_keys_no_truncate BEFORE TRUNCATE ON signing_keys
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_record_change();

-- An estate's key made before passphrases stays under the master key until
-- its body sets one; then the master-sealed copy is erased (the one change
-- signing_identities allows), so the master key no longer opens it. The
-- certificate stays: it verifies the notices signed before.
ALTER TABLE signing_identities ALTER COLUMN sealed_key DROP NOT NULL;
DROP TRIGGER signing_identities_append_only ON signing_identities;
CREATE FUNCTION signing_identities_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.sealed_key IS NULL OR NEW.sealed_key IS NOT NULL
       OR NEW.community_id <> OLD.community_id OR NEW.body <> OLD.body
       OR NEW.certificate <> OLD.certificate OR NEW.created_at <> OLD.created_at THEN
        RAISE EXCEPTION 'signing_identities: only the erasure of a master-sealed key is allowed'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER signing_identities_guard BEFORE UPDATE OR DELETE ON signing_identities
    FOR EACH ROW EXECUTE FUNCTION signing_identities_guard();

-- A body's first approval of a notice wraps its signing key for the other
-- body (RSA-OAEP under the other body's certificate), so the second
-- approval, opening its own key with its passphrase, can make both
-- signatures; the row is deleted when the notice is signed.
CREATE TABLE notice_pending_keys (
    community_id     bigint NOT NULL,
    consultation_id  bigint NOT NULL,
    body             text NOT NULL CHECK (body IN ('committee', 'residents_committee')),
    wrapped_key      bytea NOT NULL,
    certificate      bytea NOT NULL,  -- the wrapping body's certificate it was wrapped for
    PRIMARY KEY (community_id, consultation_id, body),
    FOREIGN KEY (community_id, consultation_id) REFERENCES notices (community_id, consultation_id)
);

-- Wrong signing passphrases, to limit guessing: a body with too many
-- recent failures is refused for a while.
CREATE TABLE signing_failures (
    community_id     bigint NOT NULL REFERENCES communities (id),
    body             text NOT NULL CHECK (body IN ('committee', 'residents_committee')),
    account_id       bigint NOT NULL REFERENCES accounts (id),
    at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signing_failures_body ON signing_failures (community_id, body, at);
