-- Whether an account may be booked as a doctor (a doctor, approved, not disabled), kept
-- beside its revocation and published with it (GET /auth/revocations), so that
-- appointment-service hides a doctor whose approval was withdrawn or whose account was
-- disabled, and shows them again when that is undone, without a call on a request path.
ALTER TABLE revocations ADD COLUMN practising boolean NOT NULL DEFAULT true;
-- Doctors disabled or unapproved before this existed, so the first poll hides them too.
INSERT INTO revocations (user_id, not_before, changed_at, practising)
SELECT id, 'epoch', now(), false FROM users
WHERE role = 'doctor' AND (disabled OR NOT approved)
ON CONFLICT (user_id) DO UPDATE SET practising = false, changed_at = now();
