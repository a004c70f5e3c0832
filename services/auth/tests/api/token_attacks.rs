//! Every way of presenting a bad access token answers 401 with `WWW-Authenticate: Bearer`.

use crate::helpers::*;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{Role, UserId};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use test_support::jwt::{TestKey, claims_for, test_key, token_for, unsigned};

async fn assert_refused(app: &TestApp, token: &str, case: &str) {
    let res = app.get("/users/profile", token).await;
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
        .get("/users/profile", &token_for(id, Role::Patient))
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

#[tokio::test]
async fn a_token_not_yet_valid_issued_in_the_future_or_for_another_audience_is_refused() {
    let app = spawn_app().await;
    let (_, id) = victim(&app).await;
    let key = test_key();
    let now = test_support::jwt::now();
    let with = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut claims = claims_for(id, Role::Patient);
        change(&mut claims);
        key.sign(&key.header(), &claims)
    };

    let cases = [
        ("nbf in an hour", with(&|c| c["nbf"] = json!(now + 3600))),
        ("iat a day ahead", with(&|c| c["iat"] = json!(now + 86_400))),
        ("another audience", with(&|c| c["aud"] = json!("billing"))),
        (
            "no audience",
            with(&|c| {
                c.as_object_mut().unwrap().remove("aud");
            }),
        ),
    ];
    for (case, token) in &cases {
        assert_refused(&app, token, case).await;
    }
    let within_leeway = with(&|c| c["nbf"] = json!(now + 2));
    assert_eq!(
        app.get("/users/profile", &within_leeway).await.status(),
        200
    );
}

#[tokio::test]
async fn a_token_without_typ_or_with_a_critical_header_extension_is_refused() {
    let app = spawn_app().await;
    let (_, id) = victim(&app).await;
    let key = test_key();
    let claims = claims_for(id, Role::Patient);
    let mut untyped = key.header();
    untyped.typ = None;
    let mut id_token = key.header();
    id_token.typ = Some("id+jwt".into());

    assert_refused(&app, &key.sign(&untyped, &claims), "no typ").await;
    assert_refused(&app, &key.sign(&id_token, &claims), "another typ").await;
    // jsonwebtoken's Header has no `crit`, so the header is written by hand and signed.
    let header =
        json!({ "alg": "EdDSA", "typ": "JWT", "kid": key.jwk.kid, "crit": ["exp2"], "exp2": 1 });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = key.sign_raw(signing_input.as_bytes());
    let critical = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature));
    assert_refused(&app, &critical, "crit").await;
}
