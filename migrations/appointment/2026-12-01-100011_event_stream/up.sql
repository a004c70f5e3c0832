-- The NATS JetStream relay's progress (common::events::stream, with NATS_URL set): set
-- once JetStream has acknowledged the event, in the transaction that read it, so a
-- restarted relay goes on from the first event it has no acknowledgement for.
ALTER TABLE outbox_events ADD COLUMN published_at timestamptz;
CREATE INDEX outbox_events_unpublished_idx ON outbox_events (seq) WHERE published_at IS NULL;
