-- Login attempts per one-minute window, per account and per client address. Kept in the
-- database so every replica enforces the same limit.
CREATE TABLE login_attempts (
    bucket       text        NOT NULL,
    window_start timestamptz NOT NULL,
    attempts     integer     NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX login_attempts_window_idx ON login_attempts (window_start);
