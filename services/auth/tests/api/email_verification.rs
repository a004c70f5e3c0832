//! Proving an address (contract part 3, section 8), with a real SMTP server: a link at
//! sign-up and on a change of address (the old one is told), `email_verified` on the user
//! and in the next token, admins' accounts verified from the start.

use crate::helpers::*;
use serde_json::{Value, json};
use std::time::Duration;
use test_support::smtp_sink::{Mail, SmtpSink};

const PORTAL: &str = "https://portal.clinic.example";

async fn clinic_with_mail() -> (TestApp, SmtpSink) {
    let smtp = SmtpSink::start().await;
    let smtp_url = smtp.url();
    let app = spawn_app_with(|s| {
        s.notifications.smtp_url = Some(common::config::Secret::new(smtp_url));
        s.notifications.retry = Duration::from_secs(1);
        s.notifications.portal_url = PORTAL.into();
    })
    .await;
    (app, smtp)
}

async fn mails_to(smtp: &SmtpSink, email: &str, count: usize) -> Vec<Mail> {
    let mine = || {
        smtp.mails()
            .into_iter()
            .filter(|m| m.to.iter().any(|to| to == email))
            .collect::<Vec<_>>()
    };
    for _ in 0..100 {
        if mine().len() >= count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    mine()
}

fn token_in(mail: &Mail) -> String {
    let prefix = format!("{PORTAL}/verify-email?token=");
    let start = mail.body.find(&prefix).expect("a verification link") + prefix.len();
    mail.body[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

async fn verify(app: &TestApp, token: &str) -> reqwest::Response {
    app.post_json("/auth/verify-email", &json!({ "token": token }))
        .await
}

#[tokio::test]
async fn sign_up_mails_a_link_that_verifies_the_address_and_the_next_token_says_so() {
    let (app, smtp) = clinic_with_mail().await;
    let session = app.signed_in("patient").await;
    let before: Value = app
        .get("/users/profile", &session)
        .await
        .json()
        .await
        .unwrap();
    let token = token_in(&mails_to(&smtp, &session.email, 1).await[0]);

    let verified = verify(&app, &token).await;
    let again = verify(&app, &token).await;

    assert_eq!(before["email_verified"], false);
    let claims = test_support::jwt::unverified_claims(&session.access_token);
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
    let claims = test_support::jwt::unverified_claims(refreshed["access_token"].as_str().unwrap());
    assert_eq!(claims["email_verified"], true);
}

#[tokio::test]
async fn a_new_address_is_unverified_until_its_link_is_used_and_the_old_one_is_told() {
    let (app, smtp) = clinic_with_mail().await;
    let session = app.signed_in("patient").await;
    let first = token_in(&mails_to(&smtp, &session.email, 1).await[0]);
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
    let notice = mails_to(&smtp, &session.email, 2).await;
    assert!(
        notice[1]
            .subject
            .contains("address of your account was changed"),
        "{}",
        notice[1].subject
    );
    let link = mails_to(&smtp, &new_email, 1).await;
    let verified = verify(&app, &token_in(&link[0])).await;
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
    let (app, smtp) = clinic_with_mail().await;
    let session = app.signed_in("patient").await;

    for _ in 0..6 {
        let res = app
            .post("/auth/verify-email/resend", &session, &json!({}))
            .await;
        assert_eq!(res.status(), 202);
    }

    let mails = mails_to(&smtp, &session.email, 5).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        mails_to(&smtp, &session.email, 5).await.len(),
        5,
        "{}",
        mails.len()
    );
}
