-- The audit trail (shape shared by every service: common::audit::store). Append-only:
-- triggers refuse UPDATE, DELETE and TRUNCATE, and the hash chain in audit_chain makes
-- any edit that bypasses them (a superuser disabling triggers) detectable.
CREATE TABLE audit_log (
    id             bigserial PRIMARY KEY,
    occurred_at    timestamptz NOT NULL,
    actor_id       uuid,
    actor_role     text,
    action         text        NOT NULL,
    resource_type  text        NOT NULL,
    resource_id    text,
    patient_id     uuid,
    outcome        text        NOT NULL CHECK (outcome IN ('success', 'denied', 'failure')),
    status         smallint,
    request_id     text,
    client_address text
);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id);
CREATE INDEX audit_log_resource_idx ON audit_log (resource_id, id);
CREATE INDEX audit_log_time_idx ON audit_log (occurred_at);

-- Written by the background sealer: link seq covers event_id's content and link seq - 1.
CREATE TABLE audit_chain (
    seq      bigint PRIMARY KEY,
    event_id bigint NOT NULL UNIQUE REFERENCES audit_log (id),
    hash     bytea  NOT NULL
);

CREATE FUNCTION audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only (% on % refused)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE ON audit_chain
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- A service role that does not own these tables (see README, Deployment) holds no
-- UPDATE, DELETE or TRUNCATE on them at all.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, audit_chain FROM PUBLIC;
