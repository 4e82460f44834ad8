-- Rules of procedure (DESIGN §3.6) and the delivery ledger (§5.1).

-- A version of an estate's rules of procedure: the structured settings
-- Gongjue enforces (every key filled; defaulted lists the keys the version
-- left out) and the adopted text as uploaded. A version is written once;
-- only its state moves, draft → active → superseded, and one version per
-- estate is active.
CREATE TABLE procedures (
    community_id    bigint NOT NULL REFERENCES communities (id),
    version         integer NOT NULL CHECK (version >= 1),
    state           text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'active', 'superseded')),
    settings        jsonb NOT NULL,
    defaulted       text[] NOT NULL DEFAULT '{}',
    original_sha256 bytea NOT NULL CHECK (length(original_sha256) = 32),
    content_type    text NOT NULL CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    created_by      bigint NOT NULL REFERENCES accounts (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    activated_by    bigint REFERENCES accounts (id),
    activated_at    timestamptz,
    superseded_at   timestamptz,
    PRIMARY KEY (community_id, version),
    CHECK ((state = 'draft') = (activated_at IS NULL)),
    CHECK ((activated_at IS NULL) = (activated_by IS NULL)),
    CHECK ((state = 'superseded') = (superseded_at IS NOT NULL))
);
CREATE UNIQUE INDEX procedures_one_active ON procedures (community_id) WHERE state = 'active';

-- The uploaded original, apart so that listing versions never reads it.
CREATE TABLE procedure_originals (
    community_id bigint NOT NULL,
    version      integer NOT NULL,
    original     bytea NOT NULL CHECK (length(original) BETWEEN 1 AND 10485760),
    PRIMARY KEY (community_id, version),
    FOREIGN KEY (community_id, version) REFERENCES procedures (community_id, version)
);

CREATE FUNCTION procedures_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'procedures: a version of the rules of procedure is never deleted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.community_id <> OLD.community_id OR NEW.version <> OLD.version OR NEW.settings <> OLD.settings
       OR NEW.defaulted <> OLD.defaulted OR NEW.original_sha256 <> OLD.original_sha256
       OR NEW.content_type <> OLD.content_type OR NEW.created_by <> OLD.created_by OR NEW.created_at <> OLD.created_at THEN
        RAISE EXCEPTION 'procedures: a version''s settings and original never change; register a new version'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT ((OLD.state = 'draft' AND NEW.state = 'active' AND OLD.activated_at IS NULL)
            OR (OLD.state = 'active' AND NEW.state = 'superseded'
                AND NEW.activated_at = OLD.activated_at AND NEW.activated_by = OLD.activated_by)) THEN
        RAISE EXCEPTION 'procedures: a version moves only draft → active → superseded, not % → %', OLD.state, NEW.state
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER procedures_guard BEFORE UPDATE OR DELETE ON procedures
    FOR EACH ROW EXECUTE FUNCTION procedures_guard();
CREATE TRIGGER procedures_no_truncate BEFORE TRUNCATE ON procedures
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_record_change();
CREATE TRIGGER procedure_originals_append_only BEFORE UPDATE OR DELETE ON procedure_originals
    FOR EACH ROW EXECUTE FUNCTION refuse_record_change();
CREATE TRIGGER procedure_originals_no_truncate BEFORE TRUNCATE ON procedure_originals
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_record_change();

-- The rules a consultation is decided under, copied when it opens: the
-- version and its original's hash (both NULL when the estate registered
-- none) and the settings that applied. Consultations opened before this
-- migration keep NULL settings and are read as the defaults they were
-- counted under.
ALTER TABLE consultations
    ADD COLUMN procedure_version  integer,
    ADD COLUMN procedure_sha256   bytea,
    ADD COLUMN procedure_settings jsonb,
    ADD COLUMN procedure_defaulted text[],
    ADD CONSTRAINT consultations_procedure_whole CHECK ((procedure_version IS NULL) = (procedure_sha256 IS NULL)
        AND (procedure_version IS NULL OR procedure_settings IS NOT NULL)
        AND ((procedure_settings IS NULL) = (procedure_defaulted IS NULL))),
    ADD CONSTRAINT consultations_procedure_open CHECK (procedure_settings IS NULL OR state <> 'draft'),
    ADD CONSTRAINT consultations_procedure_version FOREIGN KEY (community_id, procedure_version) REFERENCES procedures (community_id, version);

-- Once set, the snapshot stays.
CREATE FUNCTION consultations_procedure_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.procedure_settings IS NOT NULL AND (NEW.procedure_settings IS DISTINCT FROM OLD.procedure_settings
       OR NEW.procedure_version IS DISTINCT FROM OLD.procedure_version OR NEW.procedure_sha256 IS DISTINCT FROM OLD.procedure_sha256
       OR NEW.procedure_defaulted IS DISTINCT FROM OLD.procedure_defaulted) THEN
        RAISE EXCEPTION 'consultations: the rules of procedure frozen at opening never change'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER consultations_procedure_frozen BEFORE UPDATE ON consultations
    FOR EACH ROW EXECUTE FUNCTION consultations_procedure_frozen();

-- The delivery ledger (送达台账, §5.1): one row per delivery recorded for a
-- unit's ballot. recorded_by is NULL for an electronic delivery recorded
-- by the server itself when the owner first opened the ballot page.
CREATE TABLE deliveries (
    community_id    bigint NOT NULL,
    id              bigserial NOT NULL,
    consultation_id bigint NOT NULL,
    unit_id         text NOT NULL,
    method          text NOT NULL CHECK (method IN ('in_person', 'left_with_witness', 'registered_post', 'electronic')),
    delivered_at    timestamptz NOT NULL,
    recipient       text NOT NULL DEFAULT '',
    note            text NOT NULL DEFAULT '',
    recorded_by     bigint REFERENCES accounts (id),
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community_id, id),
    FOREIGN KEY (community_id, consultation_id, unit_id) REFERENCES ballots (community_id, consultation_id, unit_id),
    CHECK (recorded_by IS NOT NULL OR method = 'electronic')
);
CREATE INDEX deliveries_id ON deliveries (id);
CREATE INDEX deliveries_unit ON deliveries (community_id, consultation_id, unit_id);
-- The server records a unit's electronic delivery once.
CREATE UNIQUE INDEX deliveries_one_electronic ON deliveries (community_id, consultation_id, unit_id)
    WHERE recorded_by IS NULL;

-- A photo of the evidence (signed receipt, registered-post slip, door photo).
CREATE TABLE delivery_photos (
    community_id bigint NOT NULL,
    delivery_id  bigint NOT NULL,
    photo        bytea NOT NULL CHECK (length(photo) BETWEEN 1 AND 10485760),
    sha256       bytea NOT NULL CHECK (sha256 = sha256(photo)),
    content_type text NOT NULL CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    uploaded_by  bigint NOT NULL REFERENCES accounts (id),
    uploaded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community_id, delivery_id),
    FOREIGN KEY (community_id, delivery_id) REFERENCES deliveries (community_id, id)
);

-- Verifications and rejections of a delivery record, never by its
-- recorder (decided_by NULL: the server, verifying its own electronic
-- record). A record's standing is its latest decision: recorded →
-- verified or rejected, verified → rejected when it turns out wrong; a
-- rejection, with its reason, is final (a new record is made instead).
CREATE TABLE delivery_decisions (
    community_id bigint NOT NULL,
    id           bigserial NOT NULL,
    delivery_id  bigint NOT NULL,
    decision     text NOT NULL CHECK (decision IN ('verified', 'rejected')),
    reason       text NOT NULL DEFAULT '',
    decided_by   bigint REFERENCES accounts (id),
    decided_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community_id, id),
    FOREIGN KEY (community_id, delivery_id) REFERENCES deliveries (community_id, id),
    CHECK (decision <> 'rejected' OR (reason <> '' AND decided_by IS NOT NULL))
);
CREATE INDEX delivery_decisions_delivery ON delivery_decisions (community_id, delivery_id, id DESC);

-- The recorder never decides on their own record, and only the server
-- verifies the server's.
CREATE FUNCTION delivery_decisions_by_another() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    recorder bigint;
    latest text;
BEGIN
    SELECT recorded_by INTO recorder FROM deliveries WHERE community_id = NEW.community_id AND id = NEW.delivery_id;
    IF NEW.decided_by IS NOT DISTINCT FROM recorder AND NEW.decided_by IS NOT NULL
       OR (NEW.decided_by IS NULL AND recorder IS NOT NULL) THEN
        RAISE EXCEPTION 'delivery_decisions: a delivery record is verified or rejected by another account than the one that recorded it'
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT decision INTO latest FROM delivery_decisions
    WHERE community_id = NEW.community_id AND delivery_id = NEW.delivery_id ORDER BY id DESC LIMIT 1;
    IF latest = 'rejected' OR latest = NEW.decision THEN
        RAISE EXCEPTION 'delivery_decisions: a rejected record stays rejected, and a verified one is not verified twice'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER delivery_decisions_by_another BEFORE INSERT ON delivery_decisions
    FOR EACH ROW EXECUTE FUNCTION delivery_decisions_by_another();

-- The units that stand delivered (§3.5): one of their records' latest
-- decision verifies it. The tally joins this view; nothing else decides
-- what "delivered" means.
CREATE VIEW delivered_units AS
SELECT DISTINCT d.community_id, d.consultation_id, d.unit_id
FROM deliveries d
WHERE (SELECT e.decision FROM delivery_decisions e
       WHERE e.community_id = d.community_id AND e.delivery_id = d.id
       ORDER BY e.id DESC LIMIT 1) = 'verified';

CREATE TRIGGER deliveries_append_only BEFORE UPDATE OR DELETE ON deliveries
    FOR EACH ROW EXECUTE FUNCTION refuse_record_change();
CREATE TRIGGER deliveries_no_truncate BEFORE TRUNCATE ON deliveries
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_record_change();
CREATE TRIGGER delivery_photos_append_only BEFORE UPDATE OR DELETE ON delivery_photos
    FOR EACH ROW EXECUTE FUNCTION refuse_record_change();
CREATE TRIGGER delivery_photos_no_truncate BEFORE TRUNCATE ON delivery_photos
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_record_change();
CREATE TRIGGER delivery_decisions_append_only BEFORE UPDATE OR DELETE ON delivery_decisions
    FOR EACH ROW EXECUTE FUNCTION refuse_record_change();
CREATE TRIGGER delivery_decisions_no_truncate BEFORE TRUNCATE ON delivery_decisions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_record_change();
