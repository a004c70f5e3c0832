-- The prescription lifecycle (FHIR MedicationRequest's statuses): the head holds the
-- current status, each version the status it was written with, why it moved there, and
-- why a duplicate therapy was prescribed anyway. Existing versions were all active.
ALTER TABLE prescriptions DROP CONSTRAINT prescriptions_status_check;
ALTER TABLE prescriptions ADD CONSTRAINT prescriptions_status_check
    CHECK (status IN ('active', 'on_hold', 'completed', 'stopped', 'cancelled', 'entered_in_error'));

-- ADD COLUMN rewrites no row through the append-only trigger: old versions read 'active'.
ALTER TABLE prescription_versions
    ADD COLUMN status text NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'on_hold', 'completed', 'stopped', 'cancelled', 'entered_in_error')),
    ADD COLUMN status_reason text CHECK (length(status_reason) <= 500),
    ADD COLUMN override_reason text CHECK (length(override_reason) <= 500);

-- The duplicate therapy check reads a patient's active prescriptions.
CREATE INDEX prescriptions_patient_active_idx ON prescriptions (patient_id) WHERE status = 'active';
