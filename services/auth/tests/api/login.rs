use crate::helpers::*;
use common::Role;
use common::auth::{JwkSet, TokenVerifier};
use serde_json::{Value, json};

#[tokio::test]
async fn login_returns_a_bearer_pair_and_the_user() {
    let app = spawn_app().await;
    let email = unique_email();
    app.register(&registration(&email, "doctor")).await;

    let res = app.login(&email, PASSWORD).await;

    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(
        body["refresh_token"].as_str().unwrap().len() >= 43,
        "256 random bits"
    );
    assert_eq!(body["user"]["email"], email);
    assert!(body["user"].get("password_hash").is_none());

    let jwks: JwkSet = app
        .client
        .get(app.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let verifier = TokenVerifier::from_keys(common::auth::DEFAULT_ISSUER, &jwks.ed25519_keys());
    let claims = verifier
        .verify(body["access_token"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(claims.sub.to_string(), body["user"]["id"].as_str().unwrap());
    assert_eq!(claims.role, Role::Doctor);
    assert_eq!(claims.exp - claims.iat, 900);
    assert!(!claims.jti.is_empty());
}

#[tokio::test]
async fn the_email_is_matched_case_insensitively() {
    let app = spawn_app().await;
    let email = unique_email();
    app.register(&registration(&email, "patient")).await;

    let res = app
        .login(&format!(" {} ", email.to_uppercase()), PASSWORD)
        .await;

    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_non_ascii_email_logs_in_as_typed_and_in_another_case() {
    let app = spawn_app().await;
    let email = format!("İvy.Åsa-{}@Exämple.com", uuid::Uuid::new_v4().simple());
    let registered = app.register(&registration(&email, "patient")).await;
    assert_eq!(registered.status(), 201);

    let as_typed = app.login(&email, PASSWORD).await;
    let shouted = app.login(&email.to_uppercase(), PASSWORD).await;

    assert_eq!(as_typed.status(), 200, "{}", as_typed.text().await.unwrap());
    assert_eq!(shouted.status(), 200);
    let again = app
        .register(&registration(&email.to_uppercase(), "patient"))
        .await;
    assert_eq!(again.status(), 409, "one account whatever the case");
}

#[tokio::test]
async fn a_login_email_over_254_characters_is_422_not_500() {
    let app = spawn_app().await;
    let email = format!("{}@example.com", "a".repeat(3000));

    let json = app.login(&email, PASSWORD).await;
    let form = app
        .client
        .post(app.url("/auth/token"))
        .form(&[("username", email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();

    assert_eq!(error_fields(&assert_problem(json, 422).await), ["email"]);
    assert_eq!(form.status(), 400, "OAuth2's invalid_request");
}

#[tokio::test]
async fn an_unknown_email_and_a_wrong_password_get_the_same_401() {
    let app = spawn_app().await;
    let email = unique_email();
    app.register(&registration(&email, "patient")).await;

    let wrong_password = app.login(&email, "Wrong1Password").await;
    let unknown_email = app.login(&unique_email(), PASSWORD).await;

    assert_eq!(wrong_password.headers()["www-authenticate"], "Bearer");
    let a = assert_problem(wrong_password, 401).await;
    let b = assert_problem(unknown_email, 401).await;
    assert_eq!(a, b);
}

#[tokio::test]
async fn a_login_without_fields_is_422_naming_them() {
    let app = spawn_app().await;

    let res = app.post_json("/auth/login", &json!({})).await;

    let mut fields = error_fields(&assert_problem(res, 422).await);
    fields.sort();
    assert_eq!(fields, ["email", "password"]);
}

#[tokio::test]
async fn an_access_token_is_typed_for_the_audience_and_names_its_user() {
    let app = spawn_app().await;
    let session = app.signed_in("doctor").await;

    let header = jsonwebtoken::decode_header(&session.access_token).unwrap();
    let claims = token_claims(&session.access_token);

    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    assert_eq!(claims["aud"], "healthcare");
    assert_eq!(claims["given_name"], "Ada");
    assert_eq!(claims["family_name"], "Lovelace");
}
