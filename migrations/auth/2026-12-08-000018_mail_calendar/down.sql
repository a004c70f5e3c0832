ALTER TABLE mail_outbox DROP COLUMN calendar_method;
ALTER TABLE mail_outbox DROP COLUMN calendar;
