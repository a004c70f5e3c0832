DROP INDEX outbox_events_unpublished_idx;
ALTER TABLE outbox_events DROP COLUMN published_at;
