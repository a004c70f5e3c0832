DROP TRIGGER audit_log_seal_barrier ON audit_log;
DROP FUNCTION audit_seal_barrier();
