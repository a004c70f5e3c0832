//! The booking patient's name, kept from their token and shown on the appointment (a
//! doctor used to see only an id); null for a token without the name claims.

use crate::helpers::*;
use chrono::Weekday;
use common::Role;
use serde_json::{Value, json};

#[tokio::test]
async fn the_doctor_and_admins_see_the_name_the_booking_token_stated() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = named_caller(Role::Patient, "Lisa", "Cuddy");
    let monday = next(Weekday::Mon);
    let id = app.booked(&patient, doctor.id, at(monday, "09:00")).await;

    for viewer in [&doctor, &caller(Role::Admin), &patient] {
        let shown: Value = app
            .get(&format!("/appointments/{id}"), viewer)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            shown["patient"],
            json!({ "first_name": "Lisa", "last_name": "Cuddy" })
        );
    }
    let listed: Vec<Value> = app
        .get("/appointments", &doctor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["patient"]["last_name"], "Cuddy");

    // A token from before the claims: the booking works, the name is null.
    let unnamed = caller(Role::Patient);
    let other = app.booked(&unnamed, doctor.id, at(monday, "10:00")).await;
    let shown: Value = app
        .get(&format!("/appointments/{other}"), &doctor)
        .await
        .json()
        .await
        .unwrap();
    assert!(shown["patient"].is_null(), "{shown}");
}
