//! Proving an address (contract part 3, section 8), with a real SMTP server: a link at
//! sign-up and on a change of address (the old one is told), `email_verified` on the user
//! and in the next token, admins' accounts verified from the start.

use crate::helpers::*;
use serde_json::{Value, json};
use std::time::Duration;

async fn verify(app: &TestApp, token: &str) -> reqwest::Response {
    app.post_json("/auth/verify-email", &json!({ "token": token }))
        .await
}

#[tokio::test]
async fn sign_up_mails_a_link_that_verifies_the_address_and_the_next_token_says_so() {
    let (app, smtp) = spawn_app_with_mail().await;
    let session = app.signed_in("patient").await;
    let before: Value = app
        .get("/users/profile", &session)
        .await
        .json()
        .await
        .unwrap();
    let token = link_token(
        &mails_to(&smtp, &session.email, 1, None).await[0],
        "verify-email",
    );

    let verified = verify(&app, &token).await;
    let again = verify(&app, &token).await;

    assert_eq!(before["email_verified"], false);
    let claims = test_support::jwt::token_claims(&session.access_token);
    assert_eq!(claims["email_verified"], false);
    assert_eq!(verified.status(), 200);
    assert_eq!(
        verified.json::<Value>().await.unwrap()["email_verified"],
        true
    );
    let problem = assert_problem(again, 400).await;
    assert!(problem["type"].as_str().unwrap().ends_with("invalid-token"));
    let refreshed: Value = app
        .refresh(&session.refresh_token)
        .await
        .json()
        .await
        .unwrap();
    let claims = test_support::jwt::token_claims(refreshed["access_token"].as_str().unwrap());
    assert_eq!(claims["email_verified"], true);
}

#[tokio::test]
async fn a_new_address_is_unverified_until_its_link_is_used_and_the_old_one_is_told() {
    let (app, smtp) = spawn_app_with_mail().await;
    let session = app.signed_in("patient").await;
    let first = link_token(
        &mails_to(&smtp, &session.email, 1, None).await[0],
        "verify-email",
    );
    assert_eq!(verify(&app, &first).await.status(), 200);
    let new_email = unique_email();

    let moved: Value = app
        .put(
            "/users/profile",
            &session,
            &json!({ "email": new_email, "current_password": PASSWORD }),
        )
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(moved["email_verified"], false);
    let notice = mails_to(&smtp, &session.email, 2, None).await;
    assert!(
        notice[1]
            .subject
            .contains("address of your account was changed"),
        "{}",
        notice[1].subject
    );
    let link = mails_to(&smtp, &new_email, 1, None).await;
    let verified = verify(&app, &link_token(&link[0], "verify-email")).await;
    assert_eq!(
        verified.json::<Value>().await.unwrap()["email_verified"],
        true
    );
}

#[tokio::test]
async fn an_admins_new_account_starts_verified_and_bad_tokens_are_one_answer() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created = app
        .post("/users/", &admin, &registration(&unique_email(), "doctor"))
        .await;

    assert_eq!(
        created.json::<Value>().await.unwrap()["email_verified"],
        true
    );
    let unknown = verify(&app, "no-such-token").await;
    assert!(
        assert_problem(unknown, 400).await["type"]
            .as_str()
            .unwrap()
            .ends_with("invalid-token")
    );
    assert_problem(verify(&app, "").await, 422).await;
}

#[tokio::test]
async fn asking_again_sends_new_links_but_at_most_five_an_hour() {
    let (app, smtp) = spawn_app_with_mail().await;
    let session = app.signed_in("patient").await;

    for _ in 0..6 {
        let res = app
            .post("/auth/verify-email/resend", &session, &json!({}))
            .await;
        assert_eq!(res.status(), 202);
    }

    let mails = mails_to(&smtp, &session.email, 5, None).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        mails_to(&smtp, &session.email, 5, None).await.len(),
        5,
        "{}",
        mails.len()
    );
}
