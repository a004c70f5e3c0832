//! Getting back into an account by e-mail (contract part 3, section 8), with a real SMTP
//! server: one answer for any address, a one-time link a newer one voids, every login
//! ended by the reset, and of two uses of one link exactly one wins.

use crate::helpers::*;
use serde_json::{Value, json};
use std::time::Duration;
use test_support::smtp_sink::SmtpSink;

const PORTAL: &str = "https://portal.clinic.example";

/// The subject of the verification mail every sign-up gets: not what these tests count.
const VERIFICATION: &str = "Confirm your e-mail address";

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

/// The mails to `email` once there are `count` of them.
async fn mails_to(
    smtp: &SmtpSink,
    email: &str,
    count: usize,
) -> Vec<test_support::smtp_sink::Mail> {
    let mine = || {
        smtp.mails_without(VERIFICATION)
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

fn token_in(mail: &test_support::smtp_sink::Mail) -> String {
    let prefix = format!("{PORTAL}/reset-password?token=");
    let start = mail.body.find(&prefix).expect("a reset link") + prefix.len();
    mail.body[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn asking_answers_the_same_for_any_address_and_mails_only_the_account() {
    let (app, smtp) = clinic_with_mail().await;
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
    let mails = mails_to(&smtp, &session.email, 1).await;
    assert_eq!(mails.len(), 1);
    assert!(!token_in(&mails[0]).is_empty());
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
    let (app, smtp) = clinic_with_mail().await;
    let session = app.signed_in("patient").await;
    ask(&app, &session.email).await;
    let token = token_in(&mails_to(&smtp, &session.email, 1).await[0]);

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
    let mails = mails_to(&smtp, &session.email, 2).await;
    assert!(
        mails[1].subject.contains("password was changed"),
        "{}",
        mails[1].subject
    );
    assert!(!mails[1].body.contains("N3wPassword"));
}

#[tokio::test]
async fn a_newer_link_voids_the_older_and_an_expired_one_is_refused() {
    let (app, smtp) = clinic_with_mail().await;
    let session = app.signed_in("patient").await;
    ask(&app, &session.email).await;
    let first = token_in(&mails_to(&smtp, &session.email, 1).await[0]);
    ask(&app, &session.email).await;
    let second = token_in(&mails_to(&smtp, &session.email, 2).await[1]);

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
    let (app, smtp) = clinic_with_mail().await;
    let session = app.signed_in("patient").await;
    ask(&app, &session.email).await;
    let token = token_in(&mails_to(&smtp, &session.email, 1).await[0]);

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
    let (app, smtp) = clinic_with_mail().await;
    let session = app.signed_in("patient").await;

    for _ in 0..7 {
        assert_eq!(ask(&app, &session.email).await.status(), 202);
    }

    let mails = mails_to(&smtp, &session.email, 5).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        mails_to(&smtp, &session.email, 5).await.len(),
        5,
        "{mails:?}"
    );
}
