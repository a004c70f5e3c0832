-- A barrier for the audit sealer (common::audit::chain). Every statement that appends
-- audit events holds this advisory lock, shared, until its transaction ends; the sealer
-- takes it exclusively for an instant, and every id below the highest one it then sees
-- is final: committed, or never to be. Sealing is then a range scan above the last
-- sealed id, with no window of late commits to search again on every pass.
CREATE FUNCTION audit_seal_barrier() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Keep in step with SEAL_BARRIER_KEY in common::audit::chain.
    PERFORM pg_advisory_xact_lock_shared(107156823700481);
    RETURN NULL;
END
$$;

CREATE TRIGGER audit_log_seal_barrier BEFORE INSERT ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_seal_barrier();
