//! Every way of presenting a bad access token answers 401 with `WWW-Authenticate: Bearer`.

use crate::helpers::*;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{Role, UserId};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use test_support::jwt::{TestKey, claims_for, test_key, token_for, unsigned};

async fn assert_refused(app: &TestApp, token: &str, case: &str) {
    let res = app.get_as("/users/profile", token).await;
    assert_eq!(res.status(), 401, "{case}");
    assert_eq!(res.headers()["www-authenticate"], "Bearer", "{case}");
    assert_eq!(
        res.headers()["content-type"],
        "application/problem+json",
        "{case}"
    );
}

/// A real, signed-in user, so a refusal is about the token and not a missing account.
async fn victim(app: &TestApp) -> (Session, UserId) {
    let session = app.signed_in("patient").await;
    let id = session.id.parse().unwrap();
    (session, id)
}

#[tokio::test]
async fn a_valid_token_is_accepted_so_the_refusals_below_mean_something() {
    let app = spawn_app().await;
    let (_, id) = victim(&app).await;

    let res = app
        .get_as("/users/profile", &token_for(id, Role::Patient))
        .await;

    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn no_token_or_garbage_is_refused() {
    let app = spawn_app().await;

    let none = app
        .client
        .get(app.url("/users/profile"))
        .send()
        .await
        .unwrap();
    let basic = app
        .client
        .get(app.url("/users/profile"))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .unwrap();

    assert_eq!(none.status(), 401);
    assert_eq!(basic.status(), 401);
    assert_refused(&app, "garbage", "garbage").await;
    assert_refused(&app, "a.b.c", "three garbage segments").await;
}

#[tokio::test]
async fn alg_none_is_refused() {
    let app = spawn_app().await;
    let (_, id) = victim(&app).await;
    let header = json!({ "alg": "none", "typ": "JWT", "kid": test_key().jwk.kid });

    assert_refused(
        &app,
        &unsigned(&header, &claims_for(id, Role::Admin), ""),
        "alg none",
    )
    .await;
}

#[tokio::test]
async fn hs256_signed_with_the_public_key_is_refused() {
    let app = spawn_app().await;
    let (_, id) = victim(&app).await;
    let public_key = URL_SAFE_NO_PAD.decode(&test_key().jwk.x).unwrap();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(test_key().jwk.kid.clone());
    let token = jsonwebtoken::encode(
        &header,
        &claims_for(id, Role::Admin),
        &EncodingKey::from_secret(&public_key),
    )
    .unwrap();

    assert_refused(&app, &token, "HS256 with public key bytes").await;
}

#[tokio::test]
async fn a_flipped_signature_byte_is_refused() {
    let app = spawn_app().await;
    let (_, id) = victim(&app).await;
    let token = token_for(id, Role::Patient);
    let (body, signature) = token.rsplit_once('.').unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
    bytes[10] ^= 0x01;

    assert_refused(
        &app,
        &format!("{body}.{}", URL_SAFE_NO_PAD.encode(bytes)),
        "flipped byte",
    )
    .await;
}

#[tokio::test]
async fn a_modified_payload_is_refused() {
    let app = spawn_app().await;
    let (_, id) = victim(&app).await;
    let token = token_for(id, Role::Patient);
    let parts: Vec<&str> = token.split('.').collect();
    let promoted = URL_SAFE_NO_PAD.encode(claims_for(id, Role::Admin).to_string());

    assert_refused(
        &app,
        &format!("{}.{promoted}.{}", parts[0], parts[2]),
        "payload edited",
    )
    .await;
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = spawn_app().await;
    let (_, id) = victim(&app).await;
    let mut claims = claims_for(id, Role::Patient);
    claims["iat"] = json!(test_support::jwt::now() - 3600);
    claims["exp"] = json!(test_support::jwt::now() - 60);

    assert_refused(
        &app,
        &test_key().sign(&test_key().header(), &claims),
        "expired",
    )
    .await;
}

#[tokio::test]
async fn a_token_from_another_issuer_is_refused() {
    let app = spawn_app().await;
    let (_, id) = victim(&app).await;
    let mut claims = claims_for(id, Role::Patient);
    claims["iss"] = json!("someone-else");

    assert_refused(
        &app,
        &test_key().sign(&test_key().header(), &claims),
        "wrong issuer",
    )
    .await;
}

#[tokio::test]
async fn an_unknown_kid_or_a_missing_kid_is_refused() {
    let app = spawn_app().await;
    let (_, id) = victim(&app).await;
    let stranger = TestKey::generate();
    let mut no_kid = test_key().header();
    no_kid.kid = None;

    assert_refused(
        &app,
        &stranger.sign(&stranger.header(), &claims_for(id, Role::Patient)),
        "unknown kid",
    )
    .await;
    let mut spoofed = stranger.header();
    spoofed.kid = Some(test_key().jwk.kid.clone());
    assert_refused(
        &app,
        &stranger.sign(&spoofed, &claims_for(id, Role::Patient)),
        "known kid, wrong key",
    )
    .await;
    assert_refused(
        &app,
        &test_key().sign(&no_kid, &claims_for(id, Role::Patient)),
        "no kid",
    )
    .await;
}

#[tokio::test]
async fn a_refresh_token_is_not_an_access_token() {
    let app = spawn_app().await;
    let (session, _) = victim(&app).await;

    assert_refused(&app, &session.refresh_token, "refresh token as bearer").await;
}

#[tokio::test]
async fn a_token_with_an_unknown_role_is_refused() {
    let app = spawn_app().await;
    let (_, id) = victim(&app).await;
    let mut claims = claims_for(id, Role::Patient);
    claims["role"] = json!("superuser");

    assert_refused(
        &app,
        &test_key().sign(&test_key().header(), &claims),
        "unknown role",
    )
    .await;
}
