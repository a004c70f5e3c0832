-- Events and their webhook deliveries (shape shared by every service that publishes
-- events: common::events). A state change writes its event here in its own transaction:
-- no change without its event, no event without its change.
CREATE TABLE outbox_events (
    id            uuid        PRIMARY KEY,
    -- Insertion order, for dispatching oldest first.
    seq           bigserial   NOT NULL UNIQUE,
    type          text        NOT NULL,
    -- The appointment, waitlist entry or prescription the event is about.
    aggregate_id  uuid        NOT NULL,
    occurred_at   timestamptz NOT NULL,
    -- Ids, times, statuses, zone and location only: never notes, medicines or free text.
    data          jsonb       NOT NULL,
    -- Set once a delivery row exists for every subscription that wants it.
    dispatched_at timestamptz
);
CREATE INDEX outbox_events_undispatched_idx ON outbox_events (seq) WHERE dispatched_at IS NULL;

CREATE TABLE webhook_subscriptions (
    id            uuid        PRIMARY KEY,
    url           text        NOT NULL CHECK (length(url) <= 2000),
    events        text[]      NOT NULL CHECK (cardinality(events) >= 1),
    description   text        CHECK (length(description) <= 200),
    -- The signing secret, AES-256-GCM sealed under a key derived from AUDIT_KEY (which the
    -- database does not hold): a copy of the database cannot sign as us.
    secret_sealed bytea       NOT NULL,
    created_at    timestamptz NOT NULL,
    -- Deleted subscriptions keep their delivery history; nothing new is sent to them.
    deleted_at    timestamptz
);

CREATE TABLE webhook_deliveries (
    id              bigserial   PRIMARY KEY,
    subscription_id uuid        NOT NULL REFERENCES webhook_subscriptions (id),
    event_id        uuid        NOT NULL REFERENCES outbox_events (id),
    status          text        NOT NULL DEFAULT 'pending'
                                CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    -- A replica delivering it holds it until then; a crashed one's lease runs out.
    leased_until    timestamptz,
    UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
    WHERE status = 'pending';

CREATE TABLE webhook_attempts (
    delivery_id     bigint      NOT NULL REFERENCES webhook_deliveries (id),
    attempt         integer     NOT NULL,
    at              timestamptz NOT NULL,
    response_status smallint,
    error           text,
    PRIMARY KEY (delivery_id, attempt)
);
