-- Subjects whose access tokens issued before `not_before` every service refuses (password
-- change, logout everywhere, a disabled account). `changed_at` lets verifiers ask only for
-- what changed since their last poll.
CREATE TABLE revocations (
    user_id    uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    not_before timestamptz NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revocations_changed_at_idx ON revocations (changed_at);
