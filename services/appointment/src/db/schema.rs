// @generated automatically by Diesel CLI.

diesel::table! {
    appointments (id) {
        id -> Uuid,
        patient_id -> Uuid,
        doctor_id -> Uuid,
        appointment_time -> Timestamptz,
        end_time -> Timestamptz,
        status -> Text,
        notes -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        cancellation_reason -> Nullable<Text>,
        cancelled_by -> Nullable<Text>,
        cancelled_late -> Bool,
        hold_expires_at -> Nullable<Timestamptz>,
        patient_first_name -> Nullable<Text>,
        patient_last_name -> Nullable<Text>,
        held_from -> Nullable<Text>,
        calendar_sequence -> Int4,
        patient_birth_date -> Nullable<Date>,
        patient_sex -> Nullable<Text>,
    }
}

diesel::table! {
    calendar_feeds (owner_id) {
        owner_id -> Uuid,
        owner_role -> Text,
        secret_hash -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    doctor_hours_overrides (doctor_id, on_date) {
        doctor_id -> Uuid,
        on_date -> Date,
        available_from -> Nullable<Time>,
        available_to -> Nullable<Time>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    doctor_profiles (id) {
        id -> Uuid,
        user_id -> Uuid,
        first_name -> Text,
        last_name -> Text,
        specialization -> Text,
        available_from -> Time,
        available_to -> Time,
        location -> Nullable<Text>,
        timezone -> Text,
        working_days -> Array<Int2>,
        slot_minutes -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        breaks -> Jsonb,
        min_notice_minutes -> Int4,
        booking_horizon_days -> Int4,
        cancellation_notice_hours -> Int4,
        max_daily_bookings_per_patient -> Int4,
        suspended_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    doctor_time_off (id) {
        id -> Uuid,
        doctor_id -> Uuid,
        starts_at -> Timestamptz,
        ends_at -> Timestamptz,
        reason -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    freed_time (id) {
        id -> Int8,
        doctor_id -> Uuid,
        starts_at -> Timestamptz,
        ends_at -> Timestamptz,
        freed_at -> Timestamptz,
    }
}

diesel::table! {
    waitlist_entries (id) {
        id -> Uuid,
        doctor_id -> Uuid,
        patient_id -> Uuid,
        earliest -> Timestamptz,
        latest -> Timestamptz,
        status -> Text,
        appointment_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        patient_first_name -> Nullable<Text>,
        patient_last_name -> Nullable<Text>,
        patient_birth_date -> Nullable<Date>,
        patient_sex -> Nullable<Text>,
    }
}

diesel::table! {
    waitlist_offers (entry_id, slot_start) {
        entry_id -> Uuid,
        appointment_id -> Uuid,
        slot_start -> Timestamptz,
        offered_at -> Timestamptz,
    }
}

diesel::joinable!(waitlist_entries -> appointments (appointment_id));
diesel::joinable!(waitlist_offers -> appointments (appointment_id));
diesel::joinable!(waitlist_offers -> waitlist_entries (entry_id));

diesel::allow_tables_to_appear_in_same_query!(
    appointments,
    calendar_feeds,
    doctor_hours_overrides,
    doctor_profiles,
    doctor_time_off,
    freed_time,
    waitlist_entries,
    waitlist_offers,
);
