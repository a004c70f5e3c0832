DROP TABLE audit_chain;
DROP TABLE audit_log;
DROP FUNCTION audit_refuse_change();
