DROP TABLE availability_overrides;
DROP TABLE therapist_profiles;
