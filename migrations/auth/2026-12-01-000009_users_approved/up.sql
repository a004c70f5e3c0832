-- Doctors are vetted: a self-registered doctor waits for an admin's approval before they
-- may publish a profile or prescribe. Accounts that exist already keep working (they
-- were let in under the old rules; an admin can withdraw approval), and every other role
-- is approved by definition, so the default is true and sign-up writes false.
ALTER TABLE users ADD COLUMN approved boolean NOT NULL DEFAULT true;
-- The approval queue: `GET /users/?role=doctor&approved=false`.
CREATE INDEX users_awaiting_approval ON users (created_at) WHERE NOT approved;
