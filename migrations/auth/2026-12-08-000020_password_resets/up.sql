-- Password reset links (contract part 3, section 8). Only a token's hash is kept; a token
-- works once (used_at), until expires_at, and a newer request voids the older ones
-- (voided_at). Rows stay, so the per-account hourly cap counts what was sent.
CREATE TABLE password_resets (
    id         uuid        PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users (id),
    token_hash bytea       NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    voided_at  timestamptz
);
CREATE INDEX password_resets_by_user ON password_resets (user_id, created_at);
