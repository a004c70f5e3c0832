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
    }
}

diesel::allow_tables_to_appear_in_same_query!(appointments, doctor_profiles,);
