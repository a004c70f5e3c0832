-- An admin can disable an account: it can no longer log in or refresh (expand only: the
-- column has a default, so code that does not know it keeps working).
ALTER TABLE users ADD COLUMN disabled boolean NOT NULL DEFAULT false;
