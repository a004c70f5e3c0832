use crate::helpers::*;
use serde_json::Value;

#[tokio::test]
async fn the_password_grant_issues_a_pair_from_a_form() {
    let app = spawn_app().await;
    let email = unique_email();
    app.register(&registration(&email, "patient")).await;

    let res = app
        .client
        .post(app.url("/auth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", email.as_str()),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "bearer");
    assert!(body["access_token"].is_string());
    assert!(body["refresh_token"].is_string());
    assert!(body["expires_in"].is_u64());
}

#[tokio::test]
async fn a_form_without_grant_type_is_a_password_grant() {
    let app = spawn_app().await;
    let email = unique_email();
    app.register(&registration(&email, "patient")).await;

    let ok = app
        .client
        .post(app.url("/auth/token"))
        .form(&[("username", email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let wrong = app
        .client
        .post(app.url("/auth/token"))
        .form(&[("username", email.as_str()), ("password", "Wrong1Password")])
        .send()
        .await
        .unwrap();

    assert_eq!(ok.status(), 200);
    assert_problem(wrong, 401).await;
}

#[tokio::test]
async fn the_refresh_token_grant_rotates_the_token() {
    let app = spawn_app().await;
    let session = app.signed_in("patient").await;

    let res = app
        .client
        .post(app.url("/auth/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", session.refresh_token.as_str()),
        ])
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_ne!(body["refresh_token"], session.refresh_token.as_str());
    assert_eq!(
        app.refresh(&session.refresh_token).await.status(),
        401,
        "the old one is spent"
    );
}

#[tokio::test]
async fn an_unknown_grant_type_is_422() {
    let app = spawn_app().await;

    let res = app
        .client
        .post(app.url("/auth/token"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();

    assert_eq!(
        error_fields(&assert_problem(res, 422).await),
        ["grant_type"]
    );
}
