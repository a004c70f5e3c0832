CREATE TABLE users (
    id            uuid PRIMARY KEY,
    -- As the user typed it (trimmed); uniqueness and lookups use lower(email).
    email         text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    password_hash text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('patient', 'doctor', 'admin')),
    first_name    text        NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
    last_name     text        NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX users_email_normalized_key ON users (lower(email));
CREATE INDEX users_role_created_idx ON users (role, created_at, id);
CREATE INDEX users_created_idx ON users (created_at, id);
