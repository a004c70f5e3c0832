-- Run once by the postgres image on an empty volume: one database per service.
CREATE DATABASE healthcare_auth;
CREATE DATABASE healthcare_appointment;
CREATE DATABASE healthcare_prescription;
