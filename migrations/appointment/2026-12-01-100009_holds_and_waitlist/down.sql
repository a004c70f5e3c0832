DROP TABLE freed_time;
DROP TABLE waitlist_offers;
DROP TABLE waitlist_entries;
DROP INDEX appointments_holds_idx;
ALTER TABLE appointments DROP CONSTRAINT appointments_doctor_no_overlap;
ALTER TABLE appointments DROP CONSTRAINT appointments_patient_no_overlap;
UPDATE appointments SET status = 'cancelled' WHERE status IN ('held', 'expired');
ALTER TABLE appointments ADD CONSTRAINT appointments_doctor_no_overlap EXCLUDE USING gist
    (doctor_id WITH =, tstzrange(appointment_time, end_time, '[)') WITH &&)
    WHERE (status = 'booked');
ALTER TABLE appointments ADD CONSTRAINT appointments_patient_no_overlap EXCLUDE USING gist
    (patient_id WITH =, tstzrange(appointment_time, end_time, '[)') WITH &&)
    WHERE (status = 'booked');
ALTER TABLE appointments DROP CONSTRAINT appointments_held_until;
ALTER TABLE appointments DROP COLUMN hold_expires_at;
ALTER TABLE appointments DROP CONSTRAINT appointments_status_check;
ALTER TABLE appointments ADD CONSTRAINT appointments_status_check
    CHECK (status IN ('booked', 'completed', 'cancelled', 'no_show'));
