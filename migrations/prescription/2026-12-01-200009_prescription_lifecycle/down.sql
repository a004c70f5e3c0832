DROP INDEX prescriptions_patient_active_idx;
ALTER TABLE prescription_versions
    DROP COLUMN override_reason,
    DROP COLUMN status_reason,
    DROP COLUMN status;
ALTER TABLE prescriptions DROP CONSTRAINT prescriptions_status_check;
ALTER TABLE prescriptions ADD CONSTRAINT prescriptions_status_check CHECK (status IN ('active'));
