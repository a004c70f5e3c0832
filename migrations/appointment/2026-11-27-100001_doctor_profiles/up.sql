CREATE TABLE doctor_profiles (
    id              uuid PRIMARY KEY,
    -- The doctor's user id in auth-service; one profile per doctor.
    user_id         uuid        NOT NULL UNIQUE,
    -- Copied from auth-service when the profile is written, for the public directory.
    first_name      text        NOT NULL,
    last_name       text        NOT NULL,
    specialization  text        NOT NULL CHECK (length(specialization) BETWEEN 1 AND 100),
    available_from  time        NOT NULL,
    available_to    time        NOT NULL,
    location        text,
    timezone        text        NOT NULL,
    -- ISO weekdays, Monday = 1.
    working_days    smallint[]  NOT NULL CHECK (cardinality(working_days) BETWEEN 1 AND 7
                                                AND working_days <@ ARRAY[1,2,3,4,5,6,7]::smallint[]),
    slot_minutes    integer     NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (available_from < available_to)
);

CREATE INDEX doctor_profiles_directory_idx ON doctor_profiles (last_name, first_name, id);
