-- When the database took each audit event, stamped by the database itself: the serving
-- role inserts events but owns neither the table nor this trigger, so it cannot choose
-- the stamp. An event whose own time is far from it (a backdated or future-dated insert)
-- is reported by verification. Null for events recorded before.
ALTER TABLE audit_log ADD COLUMN recorded_at timestamptz;

CREATE FUNCTION audit_log_stamp() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.recorded_at := clock_timestamp();
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_log_stamp
    BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_stamp();
