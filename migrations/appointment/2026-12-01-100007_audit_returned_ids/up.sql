-- A list read records the ids of what it returned (ASVS: searches record their results),
-- so "who saw this record" also finds the lists that showed it (GIN: `@>` lookups).
ALTER TABLE audit_log ADD COLUMN returned_ids text[];
CREATE INDEX audit_log_returned_idx ON audit_log USING gin (returned_ids);
