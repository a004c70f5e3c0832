-- What tells two John Smiths apart (and FHIR US Core asks of a Patient): a birth date, the
-- administrative sex (FHIR's gender codes) and a phone number in E.164. All optional;
-- existing accounts have none until their owner adds them.
ALTER TABLE users ADD COLUMN birth_date date
    CHECK (birth_date >= DATE '1900-01-01');
ALTER TABLE users ADD COLUMN sex text
    CHECK (sex IN ('female', 'male', 'other', 'unknown'));
ALTER TABLE users ADD COLUMN phone text
    CHECK (phone ~ '^\+[1-9][0-9]{6,14}$');
