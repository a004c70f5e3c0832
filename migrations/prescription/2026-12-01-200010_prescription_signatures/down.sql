DROP TABLE prescription_signatures;
ALTER TABLE prescriptions
    DROP COLUMN doctor_last_name,
    DROP COLUMN doctor_first_name,
    DROP COLUMN patient_last_name,
    DROP COLUMN patient_first_name;
