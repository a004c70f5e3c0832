-- Pharmacists read a prescription by its id and record what they dispensed; admins
-- create them (sign-up never offers the role).
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('patient', 'doctor', 'admin', 'pharmacist'));
