// @generated automatically by Diesel CLI.

diesel::table! {
    cancelled_visits (appointment_id) {
        appointment_id -> Uuid,
        event_id -> Uuid,
        reported_at -> Timestamptz,
    }
}

diesel::table! {
    prescription_dispenses (id) {
        id -> Uuid,
        prescription_id -> Uuid,
        version -> Int4,
        pharmacist_id -> Uuid,
        dispensed_at -> Timestamptz,
        items -> Jsonb,
    }
}

diesel::table! {
    prescription_signatures (prescription_id, version) {
        prescription_id -> Uuid,
        version -> Int4,
        kid -> Text,
        jws -> Text,
        signed_at -> Timestamptz,
    }
}

diesel::table! {
    prescription_versions (prescription_id, version) {
        prescription_id -> Uuid,
        version -> Int4,
        notes -> Nullable<Text>,
        medicines -> Jsonb,
        created_at -> Timestamptz,
        status -> Text,
        status_reason -> Nullable<Text>,
        override_reason -> Nullable<Text>,
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
        patient_first_name -> Nullable<Text>,
        patient_last_name -> Nullable<Text>,
        doctor_first_name -> Nullable<Text>,
        doctor_last_name -> Nullable<Text>,
    }
}

diesel::joinable!(prescription_versions -> prescriptions (prescription_id));

diesel::allow_tables_to_appear_in_same_query!(
    cancelled_visits,
    prescription_dispenses,
    prescription_signatures,
    prescription_versions,
    prescriptions,
);
