-- A subscription the service keeps from its own configuration is named here (null for
-- the ones admins create). Only these may reach private addresses without
-- WEBHOOK_ALLOW_PRIVATE_URLS, since an operator named them: a column admins cannot
-- write, where a description was one they could. The one kept so far (the oldest live
-- row with its description) becomes 'notifications'.
ALTER TABLE webhook_subscriptions ADD COLUMN kept_as text;
UPDATE webhook_subscriptions SET kept_as = 'notifications'
    WHERE id = (SELECT id FROM webhook_subscriptions
                WHERE description = 'notifications (kept by the service from NOTIFICATIONS_WEBHOOK_URL)'
                  AND deleted_at IS NULL
                ORDER BY created_at LIMIT 1);
CREATE UNIQUE INDEX webhook_subscriptions_kept_idx ON webhook_subscriptions (kept_as)
    WHERE deleted_at IS NULL;
