DROP INDEX users_awaiting_approval;
ALTER TABLE users DROP COLUMN approved;
