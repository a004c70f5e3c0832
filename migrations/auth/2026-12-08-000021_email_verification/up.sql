-- Whether the account's address is known to be its owner's (contract part 3, section 8).
-- Accounts made before start unverified, but for admins (the bootstrap admin and those
-- admins made, who start verified from now on): nothing depends on it unless a service
-- runs with EMAIL_VERIFICATION_REQUIRED.
ALTER TABLE users ADD COLUMN email_verified boolean NOT NULL DEFAULT false;
UPDATE users SET email_verified = true WHERE role = 'admin';

-- Verification links: the hash of the token and the address it verifies (a link for an
-- address the account has since left verifies nothing).
CREATE TABLE email_verifications (
    id         uuid        PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users (id),
    email      text        NOT NULL,
    token_hash bytea       NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX email_verifications_by_user ON email_verifications (user_id, created_at);

-- A mail for an address other than the account's current one: the notice to the old
-- address when it changes. Null: the account's address when the mail is sent.
ALTER TABLE mail_outbox ADD COLUMN recipient text;
