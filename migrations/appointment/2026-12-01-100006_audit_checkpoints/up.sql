-- The audit chain is keyed with a secret the database does not hold (AUDIT_KEY_FILE; see
-- common::audit::chain): links sealed from now on are HMAC-SHA256, so whoever can write
-- these tables cannot recompute a chain that verifies. Links sealed before stay plain
-- SHA-256 (`keyed` false) and are covered by the first checkpoint over them.
ALTER TABLE audit_chain ADD COLUMN keyed boolean NOT NULL DEFAULT false;

-- Signed heads of the chain: every seal pass and every verification records how many
-- links it saw and the last one's hash, MACed with the key together with the previous
-- checkpoint's MAC. An edit, a recomputation or a truncation below any checkpoint no
-- longer matches it; the service log carries a copy of each, for a tail deleted with its
-- checkpoints.
CREATE TABLE audit_checkpoints (
    id         bigserial   PRIMARY KEY,
    links      bigint      NOT NULL CHECK (links >= 0),
    head       bytea       NOT NULL,
    reason     text        NOT NULL CHECK (reason IN ('seal', 'verify')),
    created_at timestamptz NOT NULL,
    key_id     text        NOT NULL,
    mac        bytea       NOT NULL
);

CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_checkpoints FROM PUBLIC;
