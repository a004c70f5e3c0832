DROP TABLE audit_checkpoints;
ALTER TABLE audit_chain DROP COLUMN keyed;
