-- A prescription's identity and who it concerns; its content lives in versions.
CREATE TABLE prescriptions (
    id              uuid PRIMARY KEY,
    -- One prescription per appointment.
    appointment_id  uuid        NOT NULL UNIQUE,
    doctor_id       uuid        NOT NULL,
    patient_id      uuid        NOT NULL,
    status          text        NOT NULL DEFAULT 'active' CHECK (status IN ('active')),
    current_version integer     NOT NULL DEFAULT 1 CHECK (current_version >= 1),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX prescriptions_patient_idx ON prescriptions (patient_id, created_at, id);
CREATE INDEX prescriptions_doctor_idx ON prescriptions (doctor_id, created_at, id);
CREATE INDEX prescriptions_created_idx ON prescriptions (created_at, id);

-- Every content a prescription ever had. Append-only: an amendment adds a version, and
-- the database refuses to change or delete one, so history cannot be rewritten.
CREATE TABLE prescription_versions (
    prescription_id uuid        NOT NULL REFERENCES prescriptions (id),
    version         integer     NOT NULL CHECK (version >= 1),
    notes           text,
    medicines       jsonb       NOT NULL CHECK (jsonb_typeof(medicines) = 'array'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (prescription_id, version)
);

CREATE FUNCTION prescription_versions_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'prescription versions are append-only (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;

CREATE TRIGGER prescription_versions_append_only
    BEFORE UPDATE OR DELETE ON prescription_versions
    FOR EACH ROW EXECUTE FUNCTION prescription_versions_refuse_change();
