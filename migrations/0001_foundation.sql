-- Foundation: estates, accounts, the owner roll, consultations and ballots.
-- Every estate-owned table is keyed by community_id first so the schema can
-- be distributed by that column when one server is outgrown (DESIGN §9).

CREATE TABLE communities (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL CHECK (name <> ''),
    address    text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Accounts are platform-wide so a username is unique everywhere; every
-- account but a platform admin belongs to exactly one estate.
CREATE TABLE accounts (
    id            bigserial PRIMARY KEY,
    community_id  bigint REFERENCES communities (id),
    username      text NOT NULL UNIQUE CHECK (username <> ''),
    password_hash text NOT NULL,
    role          text NOT NULL CHECK (role IN ('platform_admin', 'committee', 'residents_committee', 'volunteer')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'platform_admin') = (community_id IS NULL))
);

-- Login tokens, stored only as SHA-256 hashes.
CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf_hash  bytea,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE audit_entries (
    id           bigserial PRIMARY KEY,
    community_id bigint REFERENCES communities (id),
    account_id   bigint REFERENCES accounts (id),
    action       text NOT NULL,
    subject      text NOT NULL DEFAULT '',
    detail       jsonb NOT NULL DEFAULT '{}',
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_entries_community ON audit_entries (community_id, at);

CREATE TABLE zones (
    community_id bigint NOT NULL REFERENCES communities (id),
    name         text NOT NULL CHECK (name <> ''),
    PRIMARY KEY (community_id, name)
);

-- A unit (专有部分). Areas are integer hundredths of m². owner_key is a keyed
-- hash of the owner's ID number; the ID number itself is never stored.
-- person_key is who the unit counts as under Article 278's headcount: all
-- developer-held units are one person, one owner's units are one person,
-- otherwise the unit is its own person.
CREATE TABLE units (
    community_id   bigint NOT NULL,
    id             text NOT NULL CHECK (id <> ''),
    building       text NOT NULL,
    entrance       text NOT NULL,
    room           text NOT NULL,
    zone           text NOT NULL,
    floor          integer NOT NULL,
    area_centi     bigint NOT NULL CHECK (area_centi > 0),
    area_source    text NOT NULL DEFAULT '',
    owner_key      text NOT NULL DEFAULT '',
    owner_name     text NOT NULL DEFAULT '',
    owner_phone    text NOT NULL DEFAULT '',
    developer_held boolean NOT NULL DEFAULT false,
    person_key     text GENERATED ALWAYS AS (
        CASE WHEN developer_held THEN 'developer'
             WHEN owner_key <> '' THEN 'owner:' || owner_key
             ELSE 'unit:' || id END) STORED,
    PRIMARY KEY (community_id, id),
    FOREIGN KEY (community_id, zone) REFERENCES zones (community_id, name)
);

CREATE TABLE consultations (
    community_id   bigint NOT NULL REFERENCES communities (id),
    id             bigserial NOT NULL,
    title          text NOT NULL CHECK (title <> ''),
    description    text NOT NULL DEFAULT '',
    scope_zone     text NOT NULL DEFAULT '',
    scope_building text NOT NULL DEFAULT '',
    scope_entrance text NOT NULL DEFAULT '',
    veto           jsonb NOT NULL DEFAULT '{"mode": "none"}',
    opens_at       timestamptz NOT NULL,
    closes_at      timestamptz NOT NULL,
    previous_id    bigint,
    round          integer NOT NULL DEFAULT 1 CHECK (round >= 1),
    state          text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'open', 'closed', 'noticed')),
    created_by     bigint REFERENCES accounts (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    opened_at      timestamptz,
    closed_at      timestamptz,
    CHECK (closes_at > opens_at),
    CHECK (scope_entrance = '' OR scope_building <> ''),
    PRIMARY KEY (community_id, id),
    FOREIGN KEY (community_id, previous_id) REFERENCES consultations (community_id, id)
);
CREATE INDEX consultations_id ON consultations (id);

-- A matter put to the vote. rules is a quorum rule (preset name or custom
-- object); category is the Article 278 category the rule may not be looser than.
CREATE TABLE matters (
    community_id    bigint NOT NULL,
    consultation_id bigint NOT NULL,
    id              bigserial NOT NULL,
    position        integer NOT NULL,
    title           text NOT NULL CHECK (title <> ''),
    description     text NOT NULL DEFAULT '',
    kind            text NOT NULL CHECK (kind IN ('approve', 'choice', 'election')),
    category        text NOT NULL CHECK (category IN ('ordinary', 'major')),
    rules           jsonb NOT NULL,
    options         jsonb NOT NULL DEFAULT '[]',
    seats           integer NOT NULL DEFAULT 0 CHECK (seats >= 0),
    PRIMARY KEY (community_id, id),
    UNIQUE (community_id, consultation_id, position),
    FOREIGN KEY (community_id, consultation_id) REFERENCES consultations (community_id, id)
);
CREATE INDEX matters_consultation ON matters (community_id, consultation_id);

-- One ballot issued per unit in scope at opening. The unit's zone, place,
-- area and person are copied so a later roll import cannot change a count.
-- Only the SHA-256 of the ballot token is kept.
CREATE TABLE ballots (
    community_id    bigint NOT NULL,
    consultation_id bigint NOT NULL,
    unit_id         text NOT NULL,
    token_hash      bytea NOT NULL,
    code            text NOT NULL,
    zone            text NOT NULL,
    building        text NOT NULL,
    entrance        text NOT NULL,
    floor           integer NOT NULL,
    room            text NOT NULL,
    area_centi      bigint NOT NULL CHECK (area_centi > 0),
    person_key      text NOT NULL,
    PRIMARY KEY (community_id, consultation_id, unit_id),
    UNIQUE (community_id, consultation_id, code),
    FOREIGN KEY (community_id, consultation_id) REFERENCES consultations (community_id, id),
    FOREIGN KEY (community_id, unit_id) REFERENCES units (community_id, id)
);
CREATE UNIQUE INDEX ballots_token ON ballots (token_hash);

-- A paper ballot as entered by one volunteer; it counts only once a second
-- account confirms it.
CREATE TABLE paper_entries (
    community_id        bigint NOT NULL,
    id                  bigserial NOT NULL,
    consultation_id     bigint NOT NULL,
    unit_id             text NOT NULL,
    choices             jsonb NOT NULL,
    proxy_name          text NOT NULL DEFAULT '',
    proxy_authorisation text NOT NULL DEFAULT '',
    entered_by          bigint NOT NULL REFERENCES accounts (id),
    entered_at          timestamptz NOT NULL DEFAULT now(),
    state               text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'confirmed', 'rejected')),
    decided_by          bigint REFERENCES accounts (id),
    decided_at          timestamptz,
    CHECK (decided_by IS NULL OR decided_by <> entered_by),
    PRIMARY KEY (community_id, id),
    FOREIGN KEY (community_id, consultation_id, unit_id) REFERENCES ballots (community_id, consultation_id, unit_id)
);
CREATE INDEX paper_entries_id ON paper_entries (id);

-- Counted ballots. The primary key is the rule "one unit, one counted
-- ballot"; triggers below make both tables append-only.
CREATE TABLE casts (
    community_id        bigint NOT NULL,
    consultation_id     bigint NOT NULL,
    unit_id             text NOT NULL,
    channel             text NOT NULL CHECK (channel IN ('online', 'paper', 'proxy')),
    cast_at             timestamptz NOT NULL DEFAULT now(),
    salt                bytea NOT NULL CHECK (length(salt) = 16),
    paper_entry_id      bigint,
    entered_by          bigint REFERENCES accounts (id),
    confirmed_by        bigint REFERENCES accounts (id),
    proxy_name          text NOT NULL DEFAULT '',
    proxy_authorisation text NOT NULL DEFAULT '',
    PRIMARY KEY (community_id, consultation_id, unit_id),
    FOREIGN KEY (community_id, consultation_id, unit_id) REFERENCES ballots (community_id, consultation_id, unit_id)
);
CREATE UNIQUE INDEX casts_salt ON casts (community_id, consultation_id, salt);

-- One row per matter and selected choice (an election ballot may select
-- several candidates). choice is agree / oppose / abstain / spoiled for an
-- approve matter, or an option's text.
CREATE TABLE cast_choices (
    community_id    bigint NOT NULL,
    consultation_id bigint NOT NULL,
    unit_id         text NOT NULL,
    matter_id       bigint NOT NULL,
    choice          text NOT NULL,
    PRIMARY KEY (community_id, consultation_id, matter_id, unit_id, choice),
    FOREIGN KEY (community_id, consultation_id, unit_id) REFERENCES casts (community_id, consultation_id, unit_id),
    FOREIGN KEY (community_id, matter_id) REFERENCES matters (community_id, id)
);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: counted ballots cannot be changed or deleted', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER casts_append_only BEFORE UPDATE OR DELETE ON casts
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER casts_no_truncate BEFORE TRUNCATE ON casts
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER cast_choices_append_only BEFORE UPDATE OR DELETE ON cast_choices
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER cast_choices_no_truncate BEFORE TRUNCATE ON cast_choices
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
