-- The ballot log (DESIGN §6): one RFC 6962 Merkle log per consultation,
-- kept by package ledger's rules and signed with a note key per estate.

-- An estate's log key. verifier_key is public (a note verifier key);
-- signer_key is the note signer key sealed under the master key.
CREATE TABLE ledger_keys (
    community_id bigint PRIMARY KEY REFERENCES communities (id),
    verifier_key text NOT NULL,
    signer_key   bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- One leaf per counted ballot (the casts row of unit_id): leaf_hash commits
-- to the ballot and its salt. There is deliberately no foreign key to
-- casts: its per-row checks, planned on statistics that do not yet know a
-- new consultation, can scan the consultation's casts for every leaf; the
-- ledger audit checks that every leaf has its ballot.
CREATE TABLE ledger_leaves (
    community_id    bigint NOT NULL,
    consultation_id bigint NOT NULL,
    leaf_index      bigint NOT NULL CHECK (leaf_index >= 0),
    unit_id         text NOT NULL,
    leaf_hash       bytea NOT NULL CHECK (length(leaf_hash) = 32),
    PRIMARY KEY (community_id, consultation_id, leaf_index),
    UNIQUE (community_id, consultation_id, unit_id)
);

-- The tree's stored hashes, by tlog stored hash index.
CREATE TABLE ledger_hashes (
    community_id    bigint NOT NULL,
    consultation_id bigint NOT NULL,
    hash_index      bigint NOT NULL CHECK (hash_index >= 0),
    hash            bytea NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (community_id, consultation_id, hash_index)
);

-- Signed checkpoints: note is the signed note of the tree (size, root hash).
CREATE TABLE ledger_checkpoints (
    community_id    bigint NOT NULL,
    consultation_id bigint NOT NULL,
    tree_size       bigint NOT NULL CHECK (tree_size > 0),
    root_hash       bytea NOT NULL CHECK (length(root_hash) = 32),
    note            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community_id, consultation_id, tree_size),
    FOREIGN KEY (community_id, consultation_id) REFERENCES consultations (community_id, id)
);

CREATE TRIGGER ledger_leaves_append_only BEFORE UPDATE OR DELETE ON ledger_leaves
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_leaves_no_truncate BEFORE TRUNCATE ON ledger_leaves
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_hashes_append_only BEFORE UPDATE OR DELETE ON ledger_hashes
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_hashes_no_truncate BEFORE TRUNCATE ON ledger_hashes
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_checkpoints_append_only BEFORE UPDATE OR DELETE ON ledger_checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_checkpoints_no_truncate BEFORE TRUNCATE ON ledger_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
