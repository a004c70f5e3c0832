-- Where a patient's own hold was asked from (the client address, an IPv6 client's /64),
-- so that unexpired holds on one doctor can be bounded per address: a handful of fresh
-- accounts behind one address cannot hold a doctor's whole day. Null for bookings,
-- waitlist offers and holds made before.
ALTER TABLE appointments ADD COLUMN held_from text;
CREATE INDEX appointments_holds_by_address ON appointments (doctor_id, held_from)
    WHERE status = 'held';
