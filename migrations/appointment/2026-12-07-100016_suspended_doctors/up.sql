-- Since when a doctor may not be booked: their approval was withdrawn, their account
-- disabled or their role changed (learned from auth-service's revocation list). Such a
-- profile leaves the directory, its slots and booking; its booked visits stay, listed
-- for admins. Null: bookable.
ALTER TABLE doctor_profiles ADD COLUMN suspended_at timestamptz;
