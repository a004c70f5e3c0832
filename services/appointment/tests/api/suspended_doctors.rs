//! A doctor whose approval is withdrawn, or whose account is disabled, leaves the
//! directory, their slots and booking within the revocation poll (learned from
//! auth-service's list, never by a call on the request path); their upcoming visits are
//! listed for admins; undoing it brings the doctor back.

use crate::helpers::*;
use chrono::Weekday;
use common::auth::revocations::RevocationSource;
use common::auth::{DEFAULT_ISSUER, KeySource, VerifierSettings};
use serde_json::{Value, json};
use std::time::Duration;

async fn clinic_with_real_auth() -> (RealAuth, TestApp) {
    let auth = start_auth().await;
    let (auth_url, jwks_url, revocations_url) = (
        auth.address.clone(),
        format!("{}/.well-known/jwks.json", auth.address),
        format!("{}/auth/revocations", auth.address),
    );
    let app = spawn_app_with(|s| {
        s.auth_service.url = auth_url;
        s.tokens = VerifierSettings {
            issuers: vec![DEFAULT_ISSUER.into()],
            issuer_metadata_url: None,
            audience: common::auth::DEFAULT_AUDIENCE.into(),
            keys: KeySource::Jwks {
                url: jwks_url,
                min_refetch: Duration::from_secs(5),
                refresh_every: Duration::from_secs(60),
            },
            revocations: Some(RevocationSource {
                url: revocations_url,
                token: None,
                refresh_every: Duration::from_secs(1),
            }),
        };
    })
    .await;
    (auth, app)
}

/// A vetted doctor of the real auth-service with a profile, made through the API.
async fn doctor_with_profile(auth: &RealAuth, app: &TestApp, first: &str, last: &str) -> Caller {
    let doctor = auth.user("doctor", first, last).await;
    let created = app
        .client
        .post(app.url("/doctors/profile"))
        .bearer_auth(&doctor.token)
        .json(&json!({ "specialization": "Cardiothoracic" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    doctor
}

async fn set_access(auth: &RealAuth, user: common::UserId, change: Value) {
    let admin = test_support::jwt::token_for(common::UserId::new(), common::Role::Admin);
    let res = auth
        .client
        .patch(format!("{}/users/{user}", auth.address))
        .bearer_auth(&admin)
        .json(&change)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

async fn listed(app: &TestApp, doctor: common::UserId) -> bool {
    let directory: Vec<Value> = app
        .client
        .get(app.url("/doctors?limit=200"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    directory.iter().any(|d| d["user_id"] == doctor.to_string())
}

async fn stranded(app: &TestApp) -> Vec<Value> {
    let admin = caller(common::Role::Admin);
    let res = app.get("/admin/stranded-appointments", &admin).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn a_doctor_whose_approval_is_withdrawn_leaves_the_directory_and_booking_until_approved_again()
 {
    let (auth, app) = clinic_with_real_auth().await;
    let doctor = doctor_with_profile(&auth, &app, "Cristina", "Yang").await;
    let patient = auth.user("patient", "Izzie", "Stevens").await;
    let visit = app
        .booked(&patient, doctor.id, at(next(Weekday::Tue), "10:00"))
        .await;
    assert!(listed(&app, doctor.id).await);
    assert!(stranded(&app).await.is_empty());

    set_access(&auth, doctor.id, json!({ "approved": false })).await;

    assert!(
        eventually(Duration::from_secs(8), || async {
            !listed(&app, doctor.id).await
        })
        .await,
        "still in the directory"
    );
    let slots = app
        .client
        .get(app.url(&format!(
            "/doctors/{}/slots?date={}",
            doctor.id,
            next(Weekday::Tue)
        )))
        .send()
        .await
        .unwrap();
    assert_problem(slots, 404).await;
    let profile = app
        .client
        .get(app.url(&format!("/doctors/{}", doctor.id)))
        .send()
        .await
        .unwrap();
    assert_problem(profile, 404).await;
    let other = auth.user("patient", "George", "O'Malley").await;
    let booking = app
        .book(&other, doctor.id, at(next(Weekday::Tue), "11:00"))
        .await;
    assert_problem(booking, 404).await;
    let stuck: Vec<String> = stranded(&app)
        .await
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        stuck,
        vec![visit],
        "the visit is kept, and listed for admins"
    );

    set_access(&auth, doctor.id, json!({ "approved": true })).await;

    assert!(
        eventually(Duration::from_secs(8), || async {
            listed(&app, doctor.id).await
        })
        .await,
        "approved again, but still hidden"
    );
    assert!(stranded(&app).await.is_empty());
}

#[tokio::test]
async fn a_disabled_doctor_is_hidden_too() {
    let (auth, app) = clinic_with_real_auth().await;
    let doctor = doctor_with_profile(&auth, &app, "Preston", "Burke").await;

    set_access(&auth, doctor.id, json!({ "disabled": true })).await;

    assert!(
        eventually(Duration::from_secs(8), || async {
            !listed(&app, doctor.id).await
        })
        .await
    );
}
