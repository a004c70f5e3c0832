DROP TRIGGER audit_log_stamp ON audit_log;
DROP FUNCTION audit_log_stamp();
ALTER TABLE audit_log DROP COLUMN recorded_at;
