DROP INDEX webhook_subscriptions_kept_idx;
ALTER TABLE webhook_subscriptions DROP COLUMN kept_as;
