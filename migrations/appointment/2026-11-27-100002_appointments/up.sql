-- btree_gist lets one exclusion constraint combine equality on a uuid with range overlap.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE appointments (
    id               uuid PRIMARY KEY,
    patient_id       uuid        NOT NULL,
    doctor_id        uuid        NOT NULL,
    appointment_time timestamptz NOT NULL,
    end_time         timestamptz NOT NULL,
    status           text        NOT NULL DEFAULT 'booked'
                                 CHECK (status IN ('booked', 'completed', 'cancelled', 'no_show')),
    notes            text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (end_time > appointment_time),
    -- No double booking, by construction: two booked appointments of one doctor, or of one
    -- patient, never overlap, whatever the concurrency. Half-open ranges: back-to-back is fine.
    CONSTRAINT appointments_doctor_no_overlap EXCLUDE USING gist
        (doctor_id WITH =, tstzrange(appointment_time, end_time, '[)') WITH &&)
        WHERE (status = 'booked'),
    CONSTRAINT appointments_patient_no_overlap EXCLUDE USING gist
        (patient_id WITH =, tstzrange(appointment_time, end_time, '[)') WITH &&)
        WHERE (status = 'booked')
);

CREATE INDEX appointments_patient_time_idx ON appointments (patient_id, appointment_time, id);
CREATE INDEX appointments_doctor_time_idx ON appointments (doctor_id, appointment_time, id);
CREATE INDEX appointments_time_idx ON appointments (appointment_time, id);
