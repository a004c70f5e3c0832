// @generated automatically by Diesel CLI.

diesel::table! {
    prescription_versions (prescription_id, version) {
        prescription_id -> Uuid,
        version -> Int4,
        notes -> Nullable<Text>,
        medicines -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    prescriptions (id) {
        id -> Uuid,
        appointment_id -> Uuid,
        doctor_id -> Uuid,
        patient_id -> Uuid,
        status -> Text,
        current_version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(prescription_versions -> prescriptions (prescription_id));

diesel::allow_tables_to_appear_in_same_query!(prescription_versions, prescriptions,);
