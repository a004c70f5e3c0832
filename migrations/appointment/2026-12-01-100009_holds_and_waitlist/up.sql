-- Holds (a slot kept for a patient while they confirm) and the waitlist (a freed slot
-- offered to whoever asked for an earlier date). Additive for every row that exists: no
-- stored status changes meaning, and the new statuses are only ever written by this release.
ALTER TABLE appointments DROP CONSTRAINT appointments_status_check;
ALTER TABLE appointments ADD CONSTRAINT appointments_status_check
    CHECK (status IN ('booked', 'held', 'completed', 'cancelled', 'no_show', 'expired'));
ALTER TABLE appointments ADD COLUMN hold_expires_at timestamptz;
ALTER TABLE appointments ADD CONSTRAINT appointments_held_until
    CHECK (status <> 'held' OR hold_expires_at IS NOT NULL);

-- A hold takes its slot exactly as a booking does: the same two constraints now cover
-- both. A hold past its expiry still counts here (a constraint cannot call now()); whoever
-- wants its slot marks it expired first, in the same transaction (db::holds::expire_in).
ALTER TABLE appointments DROP CONSTRAINT appointments_doctor_no_overlap;
ALTER TABLE appointments DROP CONSTRAINT appointments_patient_no_overlap;
ALTER TABLE appointments ADD CONSTRAINT appointments_doctor_no_overlap EXCLUDE USING gist
    (doctor_id WITH =, tstzrange(appointment_time, end_time, '[)') WITH &&)
    WHERE (status IN ('booked', 'held'));
ALTER TABLE appointments ADD CONSTRAINT appointments_patient_no_overlap EXCLUDE USING gist
    (patient_id WITH =, tstzrange(appointment_time, end_time, '[)') WITH &&)
    WHERE (status IN ('booked', 'held'));
-- The expiry pass looks for these.
CREATE INDEX appointments_holds_idx ON appointments (hold_expires_at) WHERE status = 'held';

CREATE TABLE waitlist_entries (
    id             uuid PRIMARY KEY,
    doctor_id      uuid        NOT NULL,
    patient_id     uuid        NOT NULL,
    earliest       timestamptz NOT NULL,
    latest         timestamptz NOT NULL,
    status         text        NOT NULL DEFAULT 'waiting'
                               CHECK (status IN ('waiting', 'offered', 'fulfilled', 'withdrawn')),
    -- The offered hold (while offered) or the booked appointment (once fulfilled).
    appointment_id uuid        REFERENCES appointments (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (latest > earliest),
    CHECK ((status IN ('offered', 'fulfilled')) = (appointment_id IS NOT NULL))
);
CREATE INDEX waitlist_entries_queue_idx ON waitlist_entries (doctor_id, created_at, id)
    WHERE status = 'waiting';
CREATE INDEX waitlist_entries_patient_idx ON waitlist_entries (patient_id, created_at);

-- Every offer made, so an entry whose offer lapsed is not offered that same slot again:
-- the slot goes to the next entry.
CREATE TABLE waitlist_offers (
    entry_id       uuid        NOT NULL REFERENCES waitlist_entries (id),
    appointment_id uuid        NOT NULL REFERENCES appointments (id),
    slot_start     timestamptz NOT NULL,
    offered_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entry_id, slot_start)
);

-- Time a doctor's calendar gave back (a cancellation, a lapsed hold, time off removed,
-- hours opened), written in the transaction that frees it and consumed by the offer pass
-- (FOR UPDATE SKIP LOCKED: one replica per row), so an offer is never lost to a crash
-- between the two.
CREATE TABLE freed_time (
    id        bigserial PRIMARY KEY,
    doctor_id uuid        NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at   timestamptz NOT NULL,
    freed_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at)
);
