//! Token edge cases against the real verifiers: rotation, clock skew and revocation.

use common::auth::DEFAULT_ISSUER;
use resilience::System;
use resilience::api;
use serde_json::json;
use std::time::{Duration, Instant};
use test_support::jwt::TestKey;

async fn appointments_status(url: &str, token: &str) -> u16 {
    api::get(&format!("{url}/appointments"), Some(token))
        .await
        .0
}

async fn prescriptions_status(url: &str, token: &str) -> u16 {
    api::get(&format!("{url}/prescriptions"), Some(token))
        .await
        .0
}

/// Restarts auth-service signing with a new key; `also_publish` keeps publishing the old one.
async fn rotate(system: &mut System, also_publish: Option<&TestKey>) -> TestKey {
    let key = TestKey::generate();
    let file = system.dir.join(format!("{}.pem", key.jwk.kid));
    std::fs::write(&file, &key.pem).unwrap();
    system.auth.kill();
    system
        .auth
        .set_env("JWT_PRIVATE_KEY_FILE", &file.display().to_string());
    system.auth.remove_env("JWT_ADDITIONAL_PUBLIC_KEY_FILES");
    if let Some(old) = also_publish {
        let public = system.dir.join(format!("{}.pub.pem", old.jwk.kid));
        std::fs::write(&public, old.public_pem()).unwrap();
        system.auth.set_env(
            "JWT_ADDITIONAL_PUBLIC_KEY_FILES",
            &public.display().to_string(),
        );
    }
    system.auth.start().await;
    // Unknown-`kid` fetches are throttled (`JWKS_REFETCH_INTERVAL_SECONDS`, 1 s here): a
    // verifier that fetched just before the restart learns the new key after that.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    key
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_token_signed_by_a_key_rotated_out_is_refused_everywhere() {
    let mut system = System::builder()
        .env(None, "JWKS_REFRESH_SECONDS", "1")
        .start()
        .await;
    let patient = api::account(&system.auth.url(), "patient").await;
    let old_token = patient.access_token.clone();
    let appointment = system.appointment.url();
    let prescription = system.prescription.url();
    assert_eq!(appointments_status(&appointment, &old_token).await, 200);

    // A rotation with overlap: the old key is still published, its tokens still work.
    let old_key = system.key.clone();
    rotate(&mut system, Some(&old_key)).await;
    let renewed = api::login(&system.auth.url(), &patient.email, api::PASSWORD).await;
    assert_eq!(
        appointments_status(&appointment, &renewed.access_token).await,
        200
    );
    assert_eq!(appointments_status(&appointment, &old_token).await, 200);
    assert_eq!(prescriptions_status(&prescription, &old_token).await, 200);

    // The old key withdrawn: both services refuse its tokens within one refresh period,
    // though neither has seen a token of the new key since (prescription-service) or ever.
    rotate(&mut system, None).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let statuses = (
            appointments_status(&appointment, &old_token).await,
            prescriptions_status(&prescription, &old_token).await,
            api::get(
                &format!("{}/users/profile", system.auth.url()),
                Some(&old_token),
            )
            .await
            .0,
        );
        if statuses == (401, 401, 401) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the rotated-out key is still accepted: {statuses:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let current = api::login(&system.auth.url(), &patient.email, api::PASSWORD).await;
    assert_eq!(
        prescriptions_status(&prescription, &current.access_token).await,
        200
    );
}

fn token(system: &System, user_id: &str, issued_at: i64, expires_at: i64) -> String {
    let claims = json!({
        "sub": user_id, "role": "patient", "iat": issued_at, "exp": expires_at,
        "jti": uuid::Uuid::new_v4().to_string(), "iss": DEFAULT_ISSUER,
        "aud": common::auth::DEFAULT_AUDIENCE,
    });
    system.key.sign(&system.key.header(), &claims)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clock_skew_within_the_leeway_is_accepted_and_beyond_it_refused() {
    let system = System::start().await;
    let patient = api::account(&system.auth.url(), "patient").await;
    let now = chrono::Utc::now().timestamp();
    let urls = [
        format!("{}/appointments", system.appointment.url()),
        format!("{}/prescriptions", system.prescription.url()),
        format!("{}/users/profile", system.auth.url()),
    ];

    // Issued by a clock running ahead; expired a moment ago by ours (within 5 s).
    let ahead = token(&system, &patient.id, now + 30, now + 900);
    let just_expired = token(&system, &patient.id, now - 900, now - 2);
    let long_expired = token(&system, &patient.id, now - 900, now - 60);
    for url in &urls {
        assert_eq!(api::get(url, Some(&ahead)).await.0, 200, "{url}");
        assert_eq!(api::get(url, Some(&just_expired)).await.0, 200, "{url}");
        let (status, body) = api::get(url, Some(&long_expired)).await;
        assert_eq!(status, 401, "{url}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_disabled_accounts_tokens_stop_working_on_every_service_within_the_poll() {
    let poll = Duration::from_secs(1);
    let system = System::builder()
        .env(None, "REVOCATION_REFRESH_SECONDS", "1")
        .start()
        .await;
    let (auth, appointment, prescription) = (
        system.auth.url(),
        system.appointment.url(),
        system.prescription.url(),
    );
    let patient = api::account(&auth, "patient").await;
    let token = patient.access_token.as_str();
    let own_profile = |token: String| {
        let auth = auth.clone();
        async move {
            api::get(&format!("{auth}/users/profile"), Some(&token))
                .await
                .0
        }
    };
    assert_eq!(own_profile(token.to_owned()).await, 200);
    assert_eq!(appointments_status(&appointment, token).await, 200);
    assert_eq!(prescriptions_status(&prescription, token).await, 200);
    // Revocation has whole seconds: disable in a later one than the login.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let (status, body) = api::change_access(&auth, &patient.id, &json!({ "disabled": true })).await;
    assert_eq!(status, 200, "{body}");
    let disabled_at = Instant::now();

    assert_eq!(
        own_profile(token.to_owned()).await,
        401,
        "auth-service at once"
    );
    // The contract's bound: REVOCATION_REFRESH_SECONDS + 5 s.
    let deadline = disabled_at + poll + Duration::from_secs(5);
    loop {
        let statuses = (
            appointments_status(&appointment, token).await,
            prescriptions_status(&prescription, token).await,
        );
        if statuses == (401, 401) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still accepted after the bound: {statuses:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let login = api::post(
        &format!("{auth}/auth/login"),
        None,
        &json!({ "email": patient.email, "password": api::PASSWORD }),
    )
    .await;
    assert_eq!(login.0, 401, "a disabled account cannot log in");
}
