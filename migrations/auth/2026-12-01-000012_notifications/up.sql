-- E-mail notifications to patients, owned here because the address and the preference
-- live here: appointment-service's events arrive as signed webhooks (POST
-- /internal/events), mails wait in mail_outbox until the SMTP server takes them, and the
-- reminder schedule is kept in reminders. Additive: every account keeps mail on.
ALTER TABLE users ADD COLUMN email_notifications boolean NOT NULL DEFAULT true;

-- Events already acted on: a redelivery (webhooks are at least once) changes nothing.
CREATE TABLE received_events (
    id          uuid        PRIMARY KEY,
    type        text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE mail_outbox (
    id              bigserial   PRIMARY KEY,
    user_id         uuid        NOT NULL REFERENCES users (id),
    -- confirmation, reschedule, cancellation, offer, reminder
    kind            text        NOT NULL,
    subject         text        NOT NULL,
    body            text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    attempts        integer     NOT NULL DEFAULT 0,
    leased_until    timestamptz,
    sent_at         timestamptz
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL;

-- One reminder per appointment at its current start: a reschedule moves it (and makes it
-- due again), a cancellation deletes it. `as_of` is the newest event applied, so an older
-- event delivered late cannot undo a newer one.
CREATE TABLE reminders (
    appointment_id uuid        PRIMARY KEY,
    patient_id     uuid        NOT NULL REFERENCES users (id),
    doctor_id      uuid        NOT NULL,
    starts_at      timestamptz NOT NULL,
    timezone       text        NOT NULL,
    location       text,
    send_at        timestamptz NOT NULL,
    sent_at        timestamptz,
    as_of          timestamptz NOT NULL
);
CREATE INDEX reminders_due_idx ON reminders (send_at) WHERE sent_at IS NULL;
