// @generated automatically by Diesel CLI.

diesel::table! {
    account_unlocks (user_id) {
        user_id -> Uuid,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    email_verifications (id) {
        id -> Uuid,
        user_id -> Uuid,
        email -> Text,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    known_sign_ins (user_id, client) {
        user_id -> Uuid,
        client -> Text,
        last_at -> Timestamptz,
    }
}

diesel::table! {
    login_attempts (bucket, window_start) {
        bucket -> Text,
        window_start -> Timestamptz,
        attempts -> Int4,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Int8,
        user_id -> Uuid,
        kind -> Text,
        subject -> Text,
        body -> Text,
        created_at -> Timestamptz,
        next_attempt_at -> Timestamptz,
        attempts -> Int4,
        leased_until -> Nullable<Timestamptz>,
        sent_at -> Nullable<Timestamptz>,
        failed_at -> Nullable<Timestamptz>,
        calendar -> Nullable<Text>,
        calendar_method -> Nullable<Text>,
        recipient -> Nullable<Text>,
    }
}

diesel::table! {
    password_resets (id) {
        id -> Uuid,
        user_id -> Uuid,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        voided_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    received_events (id) {
        id -> Uuid,
        #[sql_name = "type"]
        type_ -> Text,
        received_at -> Timestamptz,
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
    reminders (appointment_id) {
        appointment_id -> Uuid,
        patient_id -> Uuid,
        doctor_id -> Uuid,
        starts_at -> Timestamptz,
        timezone -> Text,
        location -> Nullable<Text>,
        send_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
        as_of -> Timestamptz,
    }
}

diesel::table! {
    revocations (user_id) {
        user_id -> Uuid,
        not_before -> Timestamptz,
        changed_at -> Timestamptz,
        practising -> Bool,
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
        email_notifications -> Bool,
        birth_date -> Nullable<Date>,
        sex -> Nullable<Text>,
        phone -> Nullable<Text>,
        email_verified -> Bool,
    }
}

diesel::joinable!(account_unlocks -> users (user_id));
diesel::joinable!(email_verifications -> users (user_id));
diesel::joinable!(known_sign_ins -> users (user_id));
diesel::joinable!(mail_outbox -> users (user_id));
diesel::joinable!(password_resets -> users (user_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(reminders -> users (patient_id));
diesel::joinable!(revocations -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    account_unlocks,
    email_verifications,
    known_sign_ins,
    login_attempts,
    mail_outbox,
    password_resets,
    received_events,
    refresh_tokens,
    reminders,
    revocations,
    users,
);
