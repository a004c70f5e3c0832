DROP TABLE reminders;
DROP TABLE mail_outbox;
DROP TABLE received_events;
ALTER TABLE users DROP COLUMN email_notifications;
