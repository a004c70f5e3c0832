-- The per-account login ceiling (contract part 3 section 10): past
-- LOGIN_ACCOUNT_CEILING_PER_HOUR failed attempts on an account in an hour, only addresses
-- that signed in to it before get through, until the owner uses the mailed unlock link.

-- Addresses (an IPv6 client's /64) each account has signed in from with its password.
CREATE TABLE known_sign_ins (
    user_id   uuid        NOT NULL REFERENCES users (id),
    client    text        NOT NULL CHECK (length(client) <= 100),
    last_at   timestamptz NOT NULL,
    PRIMARY KEY (user_id, client)
);

-- The one unlock link an account's owner is mailed per locked hour: only its hash is kept;
-- it works once, within the hour it was issued for.
CREATE TABLE account_unlocks (
    user_id    uuid        PRIMARY KEY REFERENCES users (id),
    token_hash bytea       NOT NULL,
    created_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE UNIQUE INDEX account_unlocks_by_token ON account_unlocks (token_hash);
