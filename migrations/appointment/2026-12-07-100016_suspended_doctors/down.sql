ALTER TABLE doctor_profiles DROP COLUMN suspended_at;
