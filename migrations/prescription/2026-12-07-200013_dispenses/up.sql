-- What pharmacies handed out (contract part 3 section 17): each row one visit to a
-- pharmacy, against the version that was current then, its items a JSON array of
-- {medicine, quantity}. Append-only like the versions: what was dispensed stays counted.
CREATE TABLE prescription_dispenses (
    id              uuid        PRIMARY KEY,
    prescription_id uuid        NOT NULL,
    version         integer     NOT NULL,
    pharmacist_id   uuid        NOT NULL,
    dispensed_at    timestamptz NOT NULL,
    items           jsonb       NOT NULL,
    FOREIGN KEY (prescription_id, version)
        REFERENCES prescription_versions (prescription_id, version)
);
CREATE INDEX prescription_dispenses_by_prescription
    ON prescription_dispenses (prescription_id, dispensed_at);

CREATE TRIGGER prescription_dispenses_append_only
    BEFORE UPDATE OR DELETE ON prescription_dispenses
    FOR EACH ROW EXECUTE FUNCTION prescription_versions_refuse_change();
