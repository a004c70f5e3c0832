-- The calendar event a mail carries (an RFC 5545 document: the visit's time, doctor and
-- place, never notes) and its iTIP method (REQUEST or CANCEL), sent as a text/calendar
-- part beside the text so a mail client offers "add to calendar". Null: text alone.
ALTER TABLE mail_outbox ADD COLUMN calendar text;
ALTER TABLE mail_outbox ADD COLUMN calendar_method text
    CHECK (calendar_method IN ('REQUEST', 'CANCEL'));
