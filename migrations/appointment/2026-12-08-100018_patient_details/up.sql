-- The booking patient's birth date and administrative sex as their token stated them (as
-- their name is kept): what a doctor needs to tell two John Smiths apart. A waitlist
-- entry keeps them for the hold it may be offered. Null for bookings made before.
ALTER TABLE appointments ADD COLUMN patient_birth_date date;
ALTER TABLE appointments ADD COLUMN patient_sex text;
ALTER TABLE waitlist_entries ADD COLUMN patient_birth_date date;
ALTER TABLE waitlist_entries ADD COLUMN patient_sex text;
