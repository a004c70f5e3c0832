// @generated automatically by Diesel CLI.

diesel::table! {
    login_attempts (bucket, window_start) {
        bucket -> Text,
        window_start -> Timestamptz,
        attempts -> Int4,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        family_id -> Uuid,
        user_id -> Uuid,
        token_hash -> Bytea,
        issued_at -> Timestamptz,
        expires_at -> Timestamptz,
        rotated_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    revocations (user_id) {
        user_id -> Uuid,
        not_before -> Timestamptz,
        changed_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        password_hash -> Text,
        role -> Text,
        first_name -> Text,
        last_name -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        disabled -> Bool,
        approved -> Bool,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(revocations -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(login_attempts, refresh_tokens, revocations, users,);
