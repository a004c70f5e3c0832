-- Visits appointment-service reported cancelled or missed (appointment.cancelled,
-- appointment.no_show through the signed webhook), so their prescriptions end with them:
-- kept, so that a prescription racing the report is refused rather than left active.
CREATE TABLE cancelled_visits (
    appointment_id uuid        PRIMARY KEY,
    -- The event that reported it (a redelivery finds it already here).
    event_id       uuid        NOT NULL,
    reported_at    timestamptz NOT NULL
);
