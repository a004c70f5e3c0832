//! Signing keys: kept across restarts in development, rotated in production, and served
//! to other services through the JWKS, which `common`'s verifier fetches and caches.

use crate::helpers::*;
use auth_service::config::SigningKeySource;
use common::auth::{DEFAULT_ISSUER, TokenVerifier};
use common::{Role, UserId};
use std::time::Duration;
use test_support::jwt::{TestKey, claims_for, token_for};

fn temp_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("auth-keys-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn a_generated_development_key_survives_a_restart() {
    let dir = temp_dir();
    let first =
        spawn_app_with(|s| s.tokens.signing_key = SigningKeySource::Generated { dir: dir.clone() })
            .await;
    let session = first.signed_in("patient").await;

    let mut settings = test_settings(&first.db);
    settings.tokens.signing_key = SigningKeySource::Generated { dir: dir.clone() };
    let restarted = auth_service::Application::build(settings).await.unwrap();
    let url = format!("http://127.0.0.1:{}/users/profile", restarted.port());
    tokio::spawn(restarted.run_until_stopped());

    let res = first
        .client
        .get(url)
        .bearer_auth(&session.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_retired_key_listed_for_rotation_still_verifies_its_tokens() {
    let dir = temp_dir();
    let retired = test_support::jwt::test_key();
    let public_file = dir.join("retired.pub.pem");
    std::fs::write(&public_file, retired.public_pem()).unwrap();
    let fresh = TestKey::generate();
    let app = spawn_app_with(|s| {
        s.tokens.signing_key =
            SigningKeySource::Pem(common::config::Secret::new(fresh.pem.clone()));
        s.tokens.additional_public_keys = vec![public_file.clone()];
    })
    .await;
    let session = app.signed_in("patient").await;
    let old_token = token_for(session.id.parse().unwrap(), Role::Patient);

    let jwks: serde_json::Value = app
        .client
        .get(app.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    assert_eq!(
        jwks["keys"][0]["kid"],
        fresh.jwk.kid.as_str(),
        "the signing key comes first"
    );
    assert_eq!(app.get("/users/profile", &old_token).await.status(), 200);
    assert_eq!(
        app.get("/users/profile", &session.access_token)
            .await
            .status(),
        200
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_verifier_fetches_the_jwks_once_and_again_only_for_an_unknown_kid() {
    let app = spawn_app().await;
    let session = app.signed_in("doctor").await;
    let verifier = TokenVerifier::from_jwks_url(
        DEFAULT_ISSUER,
        app.url("/.well-known/jwks.json"),
        reqwest::Client::new(),
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(verifier.jwks_fetches(), 1, "fetched at start");

    let claims = verifier.verify(&session.access_token).await.unwrap();
    assert_eq!(claims.role, Role::Doctor);
    assert_eq!(
        verifier.jwks_fetches(),
        1,
        "a known kid is served from the cache"
    );

    let stranger = TestKey::generate();
    let forged = stranger.sign(&stranger.header(), &claims_for(UserId::new(), Role::Admin));
    assert!(verifier.verify(&forged).await.is_err());
    assert!(verifier.verify(&forged).await.is_err());
    assert_eq!(
        verifier.jwks_fetches(),
        1,
        "within the refetch interval nothing is refetched"
    );
}

#[tokio::test]
async fn a_verifier_started_before_auth_service_fetches_the_keys_when_a_token_arrives() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let verifier = TokenVerifier::from_jwks_url(
        DEFAULT_ISSUER,
        format!("http://127.0.0.1:{port}/.well-known/jwks.json"),
        reqwest::Client::new(),
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(verifier.jwks_fetches(), 1, "tried at start, found nobody");

    let app = spawn_app_with(|s| s.http.port = port).await;
    let session = app.signed_in("patient").await;
    // A failed fetch is retried after half a second, not after the full interval.
    tokio::time::sleep(Duration::from_millis(600)).await;

    let claims = verifier.verify(&session.access_token).await.unwrap();
    assert_eq!(claims.sub.to_string(), session.id);
    assert_eq!(
        verifier.jwks_fetches(),
        2,
        "the unknown kid caused one refetch"
    );
}
