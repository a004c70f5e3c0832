-- The booking patient's name as their access token stated it (given_name, family_name),
-- shown on the appointment to its doctor and admins; null for bookings made before. A
-- waitlist entry keeps it too, for the hold an offer makes without a request.
ALTER TABLE appointments
    ADD COLUMN patient_first_name text CHECK (length(patient_first_name) <= 200),
    ADD COLUMN patient_last_name  text CHECK (length(patient_last_name) <= 200);
ALTER TABLE waitlist_entries
    ADD COLUMN patient_first_name text CHECK (length(patient_first_name) <= 200),
    ADD COLUMN patient_last_name  text CHECK (length(patient_last_name) <= 200);
