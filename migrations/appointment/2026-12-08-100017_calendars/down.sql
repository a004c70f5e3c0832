DROP TABLE calendar_feeds;
DROP TRIGGER appointments_calendar_sequence ON appointments;
DROP FUNCTION appointments_calendar_sequence();
ALTER TABLE appointments DROP COLUMN calendar_sequence;
