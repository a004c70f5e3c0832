DROP TABLE prescription_versions;
DROP FUNCTION prescription_versions_refuse_change();
DROP TABLE prescriptions;
