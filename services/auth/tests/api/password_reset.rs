//! Getting back into an account by e-mail (contract part 3, section 8), with a real SMTP
//! server: one answer for any address, a one-time link a newer one voids, every login
//! ended by the reset, and of two uses of one link exactly one wins.

use crate::helpers::*;
use serde_json::{Value, json};
use std::time::Duration;

async fn ask(app: &TestApp, email: &str) -> reqwest::Response {
    app.post_json("/auth/password-reset", &json!({ "email": email }))
        .await
}

async fn confirm(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.post_json(
        "/auth/password-reset/confirm",
        &json!({ "token": token, "new_password": password }),
    )
    .await
}

#[tokio::test]
async fn asking_answers_the_same_for_any_address_and_mails_only_the_account() {
    let (app, smtp) = spawn_app_with_mail().await;
    let session = app.signed_in("patient").await;
    let unknown = unique_email();

    let known = ask(&app, &session.email).await;
    let stranger = ask(&app, &unknown).await;

    assert_eq!(
        (known.status().as_u16(), stranger.status().as_u16()),
        (202, 202)
    );
    let (known, stranger): (Value, Value) =
        (known.json().await.unwrap(), stranger.json().await.unwrap());
    assert_eq!(known, stranger);
    let mails = mails_to(&smtp, &session.email, 1, Some(VERIFICATION)).await;
    assert_eq!(mails.len(), 1);
    assert!(!link_token(&mails[0], "reset-password").is_empty());
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        smtp.mails().iter().all(|m| !m.to.contains(&unknown)),
        "no mail for an address without an account"
    );
    let bad = ask(&app, "not-an-address").await;
    assert_eq!(error_fields(&assert_problem(bad, 422).await), ["email"]);
}

#[tokio::test]
async fn the_link_sets_the_password_once_ends_every_login_and_sends_a_notice() {
    let (app, smtp) = spawn_app_with_mail().await;
    let session = app.signed_in("patient").await;
    ask(&app, &session.email).await;
    let token = link_token(
        &mails_to(&smtp, &session.email, 1, Some(VERIFICATION)).await[0],
        "reset-password",
    );

    let weak = confirm(&app, &token, "short").await;
    let done = confirm(&app, &token, "N3wPassword").await;
    let again = confirm(&app, &token, "Other3Password").await;

    assert_eq!(
        error_fields(&assert_problem(weak, 422).await),
        ["new_password"]
    );
    assert_eq!(done.status(), 204);
    let problem = assert_problem(again, 400).await;
    assert!(problem["type"].as_str().unwrap().ends_with("invalid-token"));
    assert_eq!(app.login(&session.email, PASSWORD).await.status(), 401);
    assert_eq!(app.login(&session.email, "N3wPassword").await.status(), 200);
    assert_eq!(app.refresh(&session.refresh_token).await.status(), 401);
    assert_eq!(app.get("/users/profile", &session).await.status(), 401);
    let mails = mails_to(&smtp, &session.email, 2, Some(VERIFICATION)).await;
    assert!(
        mails[1].subject.contains("password was changed"),
        "{}",
        mails[1].subject
    );
    assert!(!mails[1].body.contains("N3wPassword"));
}

#[tokio::test]
async fn a_newer_link_voids_the_older_and_an_expired_one_is_refused() {
    let (app, smtp) = spawn_app_with_mail().await;
    let session = app.signed_in("patient").await;
    ask(&app, &session.email).await;
    let first = link_token(
        &mails_to(&smtp, &session.email, 1, Some(VERIFICATION)).await[0],
        "reset-password",
    );
    ask(&app, &session.email).await;
    let second = link_token(
        &mails_to(&smtp, &session.email, 2, Some(VERIFICATION)).await[1],
        "reset-password",
    );

    let voided = confirm(&app, &first, "N3wPassword").await;
    diesel::RunQueryDsl::execute(
        diesel::sql_query("UPDATE password_resets SET expires_at = now() - interval '1 minute'"),
        &mut app.db.connect(),
    )
    .unwrap();
    let expired = confirm(&app, &second, "N3wPassword").await;

    assert_problem(voided, 400).await;
    assert_problem(expired, 400).await;
    assert_eq!(app.login(&session.email, PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn of_eight_uses_of_one_link_at_once_exactly_one_resets() {
    let (app, smtp) = spawn_app_with_mail().await;
    let session = app.signed_in("patient").await;
    ask(&app, &session.email).await;
    let token = link_token(
        &mails_to(&smtp, &session.email, 1, Some(VERIFICATION)).await[0],
        "reset-password",
    );

    let uses = (0..8).map(|i| {
        let (client, url, token) = (
            app.client.clone(),
            app.url("/auth/password-reset/confirm"),
            token.clone(),
        );
        async move {
            let body = json!({ "token": token, "new_password": format!("N3wPassword{i}") });
            client
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(uses).await;

    assert_eq!(
        statuses.iter().filter(|s| **s == 204).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 400).count(),
        7,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn an_account_gets_at_most_five_reset_mails_an_hour() {
    let (app, smtp) = spawn_app_with_mail().await;
    let session = app.signed_in("patient").await;

    for _ in 0..7 {
        assert_eq!(ask(&app, &session.email).await.status(), 202);
    }

    let mails = mails_to(&smtp, &session.email, 5, Some(VERIFICATION)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        mails_to(&smtp, &session.email, 5, Some(VERIFICATION))
            .await
            .len(),
        5,
        "{mails:?}"
    );
}
