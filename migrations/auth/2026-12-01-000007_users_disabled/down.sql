ALTER TABLE users DROP COLUMN disabled;
