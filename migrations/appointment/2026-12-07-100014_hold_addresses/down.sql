DROP INDEX appointments_holds_by_address;
ALTER TABLE appointments DROP COLUMN held_from;
