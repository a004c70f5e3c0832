ALTER TABLE revocations DROP COLUMN practising;
