-- A mail the server refused for good (a permanent 5xx, an address it cannot take), or
-- could not take after MAIL_MAX_ATTEMPTS tries, is given up: kept, marked, never retried.
ALTER TABLE mail_outbox ADD COLUMN failed_at timestamptz;
DROP INDEX mail_outbox_due_idx;
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;
