// @generated automatically by Diesel CLI.

diesel::table! {
    audit_chain (seq) {
        seq -> Int8,
        event_id -> Int8,
        hash -> Bytea,
        keyed -> Bool,
    }
}

diesel::table! {
    audit_checkpoints (id) {
        id -> Int8,
        links -> Int8,
        head -> Bytea,
        reason -> Text,
        created_at -> Timestamptz,
        key_id -> Text,
        mac -> Bytea,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        occurred_at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
        actor_role -> Nullable<Text>,
        action -> Text,
        resource_type -> Text,
        resource_id -> Nullable<Text>,
        patient_id -> Nullable<Uuid>,
        outcome -> Text,
        status -> Nullable<Int2>,
        request_id -> Nullable<Text>,
        client_address -> Nullable<Text>,
        returned_ids -> Nullable<Array<Nullable<Text>>>,
        recorded_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    idempotency_keys (scope, key) {
        scope -> Text,
        key -> Text,
        fingerprint -> Bytea,
        status -> Int2,
        body -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(audit_chain -> audit_log (event_id));

diesel::allow_tables_to_appear_in_same_query!(
    audit_chain,
    audit_checkpoints,
    audit_log,
    idempotency_keys,
);
