// @generated automatically by Diesel CLI.

diesel::table! {
    outbox_events (id) {
        id -> Uuid,
        seq -> Int8,
        #[sql_name = "type"]
        type_ -> Text,
        aggregate_id -> Uuid,
        occurred_at -> Timestamptz,
        data -> Jsonb,
        dispatched_at -> Nullable<Timestamptz>,
        published_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhook_attempts (delivery_id, attempt) {
        delivery_id -> Int8,
        attempt -> Int4,
        at -> Timestamptz,
        response_status -> Nullable<Int2>,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Int8,
        subscription_id -> Uuid,
        event_id -> Uuid,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        leased_until -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> Uuid,
        url -> Text,
        events -> Array<Nullable<Text>>,
        description -> Nullable<Text>,
        secret_sealed -> Bytea,
        created_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
        kept_as -> Nullable<Text>,
    }
}

diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::joinable!(webhook_deliveries -> outbox_events (event_id));
diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));

diesel::allow_tables_to_appear_in_same_query!(
    outbox_events,
    webhook_attempts,
    webhook_deliveries,
    webhook_subscriptions,
);
