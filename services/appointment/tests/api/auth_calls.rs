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
    let auth = start_auth().await;
    let jwks_url = format!("{}/.well-known/jwks.json", auth.address);
    let auth_url = auth.address.clone();
    let app = spawn_app_with(|s| {
        s.auth_service.url = auth_url;
        s.tokens = VerifierSettings {
            issuers: vec![DEFAULT_ISSUER.into()],
            issuer_metadata_url: None,
            audience: common::auth::DEFAULT_AUDIENCE.into(),
            revocations: None,
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

#[tokio::test]
async fn a_disabled_users_token_is_refused_here_within_the_revocation_poll() {
    let auth = start_auth().await;
    let jwks_url = format!("{}/.well-known/jwks.json", auth.address);
    let revocations_url = format!("{}/auth/revocations", auth.address);
    let app = spawn_app_with(|s| {
        s.tokens = VerifierSettings {
            issuers: vec![DEFAULT_ISSUER.into()],
            issuer_metadata_url: None,
            audience: common::auth::DEFAULT_AUDIENCE.into(),
            keys: KeySource::Jwks {
                url: jwks_url,
                min_refetch: Duration::from_secs(5),
                refresh_every: Duration::from_secs(60),
            },
            revocations: Some(common::auth::revocations::RevocationSource {
                url: revocations_url,
                token: None,
                refresh_every: Duration::from_secs(1),
            }),
        };
    })
    .await;
    let patient = auth.user("patient", "Pat", "Lee").await;
    assert_eq!(app.get("/appointments", &patient).await.status(), 200);
    // The token's iat is a whole second; disabling in a later second revokes it.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let admin = test_support::jwt::token_for(common::UserId::new(), common::Role::Admin);

    let disabled = auth
        .client
        .patch(format!("{}/users/{}", auth.address, patient.id))
        .bearer_auth(&admin)
        .json(&serde_json::json!({ "disabled": true }))
        .send()
        .await
        .unwrap();

    assert_eq!(disabled.status(), 200);
    let deadline = std::time::Instant::now() + Duration::from_secs(6);
    loop {
        let status = app.get("/appointments", &patient).await.status();
        if status == 401 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still accepted: {status}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
