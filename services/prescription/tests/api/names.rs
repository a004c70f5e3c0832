//! Patient and doctor names on a prescription: the patient's from the appointment (kept
//! from the booking token), the doctor's from their own token, both at creation; a token
//! without the name claims still prescribes (names null).

use crate::helpers::*;
use common::Role;
use serde_json::{Value, json};

#[tokio::test]
async fn the_prescription_keeps_both_names_from_creation_and_signs_them() {
    let app = spawn_app().await;
    let patient = named_caller(Role::Patient, "Lisa", "Cuddy");
    let visit = app.visit_of(patient.clone()).await;
    let doctor = named_caller_as(visit.doctor.id, Role::Doctor, "James", "Wilson");
    let res = app
        .prescribe(&doctor, &prescription_for(&visit.appointment_id))
        .await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(
        created["patient"],
        json!({ "first_name": "Lisa", "last_name": "Cuddy" })
    );
    assert_eq!(
        created["doctor"],
        json!({ "first_name": "James", "last_name": "Wilson" })
    );
    // Kept, not looked up again: an amendment by a token without names changes nothing.
    let path = format!("/prescriptions/{}", created["id"].as_str().unwrap());
    let amended: Value = app
        .put(&path, &visit.doctor, &json!({ "notes": "later" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(amended["doctor"]["last_name"], "Wilson");
    assert_eq!(amended["patient"]["first_name"], "Lisa");
}

#[tokio::test]
async fn a_token_without_name_claims_still_prescribes_and_the_names_are_null() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let res = app
        .prescribe(&visit.doctor, &prescription_for(&visit.appointment_id))
        .await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert!(created["patient"].is_null());
    assert!(created["doctor"].is_null());
}
