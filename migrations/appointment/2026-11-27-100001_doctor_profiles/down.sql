DROP TABLE doctor_profiles;
