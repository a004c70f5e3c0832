DROP INDEX audit_log_returned_idx;
ALTER TABLE audit_log DROP COLUMN returned_ids;
