ALTER TABLE mail_outbox DROP COLUMN recipient;
DROP TABLE email_verifications;
ALTER TABLE users DROP COLUMN email_verified;
