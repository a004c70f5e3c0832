ALTER TABLE waitlist_entries DROP COLUMN patient_last_name, DROP COLUMN patient_first_name;
ALTER TABLE appointments DROP COLUMN patient_last_name, DROP COLUMN patient_first_name;
