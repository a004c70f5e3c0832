-- The SEQUENCE of an appointment's calendar event (RFC 5545): it grows with each new time
-- and each status change, so a calendar that holds the event replaces it instead of
-- showing two visits. A trigger keeps it, so no path that changes a visit can forget to.
ALTER TABLE appointments ADD COLUMN calendar_sequence integer NOT NULL DEFAULT 0;

CREATE FUNCTION appointments_calendar_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.appointment_time IS DISTINCT FROM OLD.appointment_time
       OR NEW.end_time IS DISTINCT FROM OLD.end_time
       OR NEW.status IS DISTINCT FROM OLD.status THEN
        NEW.calendar_sequence := OLD.calendar_sequence + 1;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER appointments_calendar_sequence BEFORE UPDATE ON appointments
    FOR EACH ROW EXECUTE FUNCTION appointments_calendar_sequence();

-- A patient's or a doctor's private calendar feed. The secret in its URL is the only key
-- (calendar apps send no token), so only its SHA-256 is kept: a copy of this table opens
-- no feed. One per person; a new one replaces it.
CREATE TABLE calendar_feeds (
    owner_id uuid PRIMARY KEY,
    owner_role text NOT NULL CHECK (owner_role IN ('patient', 'doctor')),
    secret_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
