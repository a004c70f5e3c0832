-- The doctor's real calendar (breaks, notice, horizon, late cancellation, a daily limit per
-- patient, time off, date overrides). Additive only: every new column has a default or is
-- nullable, so a database of the previous schema upgrades in place, its rows untouched, and
-- the previous release keeps working against it while a deploy rolls.
ALTER TABLE doctor_profiles
    -- [{"from": "12:00", "to": "13:00"}, ...], local times inside the weekly hours, validated
    -- on write (domain::profile); the array shape is all the database can check cheaply.
    ADD COLUMN breaks jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(breaks) = 'array'),
    ADD COLUMN min_notice_minutes integer NOT NULL DEFAULT 60
        CHECK (min_notice_minutes BETWEEN 0 AND 10080),
    ADD COLUMN booking_horizon_days integer NOT NULL DEFAULT 180
        CHECK (booking_horizon_days BETWEEN 1 AND 730),
    ADD COLUMN cancellation_notice_hours integer NOT NULL DEFAULT 24
        CHECK (cancellation_notice_hours BETWEEN 0 AND 168),
    ADD COLUMN max_daily_bookings_per_patient integer NOT NULL DEFAULT 2
        CHECK (max_daily_bookings_per_patient BETWEEN 1 AND 48);

ALTER TABLE appointments
    ADD COLUMN cancellation_reason text CHECK (length(cancellation_reason) <= 500),
    ADD COLUMN cancelled_by text CHECK (cancelled_by IN ('patient', 'doctor', 'admin')),
    -- Decided when it is cancelled (inside the doctor's cancellation notice then), so a
    -- later change of the notice does not rewrite history.
    ADD COLUMN cancelled_late boolean NOT NULL DEFAULT false;

-- Ranges a doctor does not work: a holiday, a sick afternoon. Instants, not local times:
-- a range is what it is whatever the zone does meanwhile.
CREATE TABLE doctor_time_off (
    id         uuid PRIMARY KEY,
    -- The doctor's user id, as on appointments.
    doctor_id  uuid        NOT NULL,
    starts_at  timestamptz NOT NULL,
    ends_at    timestamptz NOT NULL,
    reason     text        CHECK (length(reason) <= 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at)
);
CREATE INDEX doctor_time_off_doctor_idx ON doctor_time_off (doctor_id, starts_at);

-- One local date's hours instead of the weekly rule: open (also on a day off) or closed
-- (both times null).
CREATE TABLE doctor_hours_overrides (
    doctor_id      uuid        NOT NULL,
    on_date        date        NOT NULL,
    available_from time,
    available_to   time,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (doctor_id, on_date),
    CHECK ((available_from IS NULL AND available_to IS NULL)
           OR (available_from IS NOT NULL AND available_to IS NOT NULL
               AND available_from < available_to))
);
