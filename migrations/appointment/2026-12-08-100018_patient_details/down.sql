ALTER TABLE waitlist_entries DROP COLUMN patient_sex;
ALTER TABLE waitlist_entries DROP COLUMN patient_birth_date;
ALTER TABLE appointments DROP COLUMN patient_sex;
ALTER TABLE appointments DROP COLUMN patient_birth_date;
