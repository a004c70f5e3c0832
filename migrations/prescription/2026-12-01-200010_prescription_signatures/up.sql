-- Who the prescription is for and by, as first and last name, kept from the appointment at
-- creation (null for prescriptions written before names were kept).
ALTER TABLE prescriptions
    ADD COLUMN patient_first_name text CHECK (length(patient_first_name) <= 200),
    ADD COLUMN patient_last_name  text CHECK (length(patient_last_name) <= 200),
    ADD COLUMN doctor_first_name  text CHECK (length(doctor_first_name) <= 200),
    ADD COLUMN doctor_last_name   text CHECK (length(doctor_last_name) <= 200);

-- Each version's compact JWS (EdDSA, with the kid of prescription-service's key), made
-- when the version was written, over that version's JSON. Append-only like the versions:
-- a signature is never replaced, so an edited version fails verification.
CREATE TABLE prescription_signatures (
    prescription_id uuid        NOT NULL,
    version         integer     NOT NULL,
    kid             text        NOT NULL,
    jws             text        NOT NULL,
    signed_at       timestamptz NOT NULL,
    PRIMARY KEY (prescription_id, version),
    FOREIGN KEY (prescription_id, version)
        REFERENCES prescription_versions (prescription_id, version)
);

CREATE TRIGGER prescription_signatures_append_only
    BEFORE UPDATE OR DELETE ON prescription_signatures
    FOR EACH ROW EXECUTE FUNCTION prescription_versions_refuse_change();
