//! What happens when auth-service is down: writes that need it answer 503 and write
//! nothing; everything verified locally from the cached JWKS keeps working.

use crate::helpers::*;
use chrono::Weekday;
use common::auth::{DEFAULT_ISSUER, KeySource, VerifierSettings};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn creating_a_profile_while_auth_service_is_down_is_503_and_writes_nothing() {
    let app = spawn_app().await;
    let doctor = caller(common::Role::Doctor);

    let res = app
        .client
        .post(app.url("/doctors/profile"))
        .bearer_auth(&doctor.token)
        .json(&json!({ "specialization": "Oncology" }))
        .send()
        .await
        .unwrap();

    assert_problem(res, 503).await;
    assert_problem(app.get("/doctors/profile", &doctor).await, 404).await;
}

#[tokio::test]
async fn booking_and_reading_keep_working_after_auth_service_stops() {
    let auth = spawn_auth().await;
    let jwks_url = format!("{}/.well-known/jwks.json", auth.address);
    let auth_url = auth.address.clone();
    let app = spawn_app_with(|s| {
        s.auth_service.url = auth_url;
        s.tokens = VerifierSettings {
            issuer: DEFAULT_ISSUER.into(),
            audience: common::auth::DEFAULT_AUDIENCE.into(),
            keys: KeySource::Jwks {
                url: jwks_url,
                min_refetch: Duration::from_secs(5),
                refresh_every: Duration::from_secs(60),
            },
        };
    })
    .await;
    let doctor = auth.user("doctor", "Cristina", "Yang").await;
    let patient = auth.user("patient", "Izzie", "Stevens").await;
    let created = app
        .client
        .post(app.url("/doctors/profile"))
        .bearer_auth(&doctor.token)
        .json(&json!({ "specialization": "Cardiothoracic" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);

    auth.handle.stop(false).await;

    let start = at(next(Weekday::Tue), "10:00");
    let id = app.booked(&patient, doctor.id, start).await;
    assert_eq!(
        app.get(&format!("/appointments/{id}"), &doctor)
            .await
            .status(),
        200
    );
    let late_doctor = caller(common::Role::Doctor);
    let res = app
        .client
        .post(app.url("/doctors/profile"))
        .bearer_auth(&late_doctor.token)
        .json(&json!({ "specialization": "Radiology" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        503,
        "the name cannot be fetched, so nothing is written"
    );
}
