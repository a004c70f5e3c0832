//! The login and sign-up limits of the contract: failures only, three budgets, a sign-up
//! budget, client addresses from `TRUSTED_PROXIES`. The tests reach the service through a
//! "proxy" on 127.0.0.1 (trusted here), so `X-Forwarded-For` gives each request its address.

use crate::helpers::*;
use auth_service::Settings;
use common::client_address::TrustedProxies;
use reqwest::Response;
use serde_json::json;

/// Limits count per calendar minute: starting a test in a minute's last seconds would let
/// its attempts straddle two windows. Wait for a fresh one instead.
async fn start_of_a_window() {
    use chrono::Timelike;
    let second = chrono::Utc::now().second();
    if second >= 45 {
        tokio::time::sleep(std::time::Duration::from_secs(u64::from(61 - second))).await;
    }
}

fn behind_a_proxy(settings: &mut Settings) {
    settings.http.trusted_proxies = TrustedProxies::parse(&["127.0.0.1/32".into()]).unwrap();
}

async fn login_from(app: &TestApp, address: &str, email: &str, password: &str) -> Response {
    app.client
        .post(app.url("/auth/login"))
        .header("X-Forwarded-For", address)
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap()
}

async fn patient(app: &TestApp) -> String {
    let email = unique_email();
    assert_eq!(
        app.register(&registration(&email, "patient"))
            .await
            .status(),
        201
    );
    email
}

#[tokio::test]
async fn after_ten_failures_from_one_address_even_the_right_password_waits() {
    let app = spawn_app_with(|s| {
        behind_a_proxy(s);
        s.login_limits.per_account_and_address = 10;
    })
    .await;
    let email = patient(&app).await;
    start_of_a_window().await;
    for _ in 0..10 {
        let res = login_from(&app, "203.0.113.9", &email, "Wrong1Password").await;
        assert_eq!(res.status(), 401);
    }

    let limited = login_from(&app, "203.0.113.9", &email, PASSWORD).await;
    let elsewhere = login_from(&app, "198.51.100.2", &email, PASSWORD).await;

    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after));
    assert_problem(limited, 429).await;
    assert_eq!(elsewhere.status(), 200, "another address is not limited");
}

#[tokio::test]
async fn guessing_from_many_addresses_never_locks_out_an_address_that_has_not_failed() {
    let app = spawn_app_with(|s| {
        behind_a_proxy(s);
        s.login_limits.per_account_and_address = 10;
        s.login_limits.per_account = 3;
    })
    .await;
    let email = patient(&app).await;
    start_of_a_window().await;
    for attacker in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        let res = login_from(&app, attacker, &email, "Wrong1Password").await;
        assert_eq!(res.status(), 401);
    }

    let attacker_again = login_from(&app, "203.0.113.1", &email, "Wrong1Password").await;
    let owner = login_from(&app, "198.51.100.7", &email, PASSWORD).await;

    assert_problem(attacker_again, 429).await;
    assert_eq!(
        owner.status(),
        200,
        "the account's budget spares a fresh address"
    );
}

#[tokio::test]
async fn one_address_is_limited_across_accounts() {
    let app = spawn_app_with(|s| {
        behind_a_proxy(s);
        s.login_limits.per_address = 3;
    })
    .await;
    let email = patient(&app).await;
    start_of_a_window().await;
    for _ in 0..3 {
        login_from(&app, "203.0.113.9", &unique_email(), PASSWORD).await;
    }

    let res = login_from(&app, "203.0.113.9", &email, PASSWORD).await;
    let elsewhere = login_from(&app, "198.51.100.2", &email, PASSWORD).await;

    assert_problem(res, 429).await;
    assert_eq!(elsewhere.status(), 200);
}

#[tokio::test]
async fn successful_logins_are_not_counted_so_a_whole_clinic_behind_one_address_logs_in() {
    let app = spawn_app_with(|s| {
        behind_a_proxy(s);
        s.login_limits.per_account_and_address = 2;
        s.login_limits.per_address = 2;
    })
    .await;
    let staff = [
        patient(&app).await,
        patient(&app).await,
        patient(&app).await,
    ];
    start_of_a_window().await;

    for _ in 0..3 {
        for email in &staff {
            let res = login_from(&app, "192.0.2.50", email, PASSWORD).await;
            assert_eq!(res.status(), 200);
        }
    }
}

#[tokio::test]
async fn an_untrusted_peer_cannot_pick_its_address_with_x_forwarded_for() {
    let app = spawn_app_with(|s| s.login_limits.per_address = 3).await;
    start_of_a_window().await;
    for n in 0..3 {
        let forged = format!("203.0.113.{n}");
        login_from(&app, &forged, &unique_email(), PASSWORD).await;
    }

    let res = login_from(&app, "198.51.100.200", &unique_email(), PASSWORD).await;

    assert_problem(res, 429).await;
}

#[tokio::test]
async fn a_malformed_forwarded_header_falls_back_to_the_peer() {
    let app = spawn_app_with(|s| {
        behind_a_proxy(s);
        s.login_limits.per_address = 2;
    })
    .await;
    start_of_a_window().await;
    for garbage in ["not-an-address", "1.2.3.4, ,"] {
        let res = login_from(&app, garbage, &unique_email(), PASSWORD).await;
        assert_eq!(
            res.status(),
            401,
            "a malformed header is never a 4xx of its own"
        );
    }

    let res = login_from(&app, "", &unique_email(), PASSWORD).await;

    assert_problem(res, 429).await;
}

#[tokio::test]
async fn sign_ups_are_limited_per_address_before_any_hashing() {
    let app = spawn_app_with(|s| {
        behind_a_proxy(s);
        s.register_rate_limit_per_address_per_minute = 2;
    })
    .await;
    start_of_a_window().await;
    let sign_up = |address: &'static str| {
        let client = app.client.clone();
        let url = app.url("/auth/register");
        async move {
            client
                .post(url)
                .header("X-Forwarded-For", address)
                .json(&registration(&unique_email(), "patient"))
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(sign_up("203.0.113.9").await.status(), 201);
    assert_eq!(sign_up("203.0.113.9").await.status(), 201);

    let third = sign_up("203.0.113.9").await;
    let elsewhere = sign_up("198.51.100.2").await;

    assert_problem(third, 429).await;
    assert_eq!(elsewhere.status(), 201);
}

#[tokio::test]
async fn the_limit_is_shared_by_replicas_on_one_database() {
    let first = spawn_app_with(|s| s.login_limits.per_account_and_address = 2).await;
    let mut settings = test_settings(&first.db);
    settings.login_limits.per_account_and_address = 2;
    let replica = auth_service::Application::build(settings).await.unwrap();
    let replica_url = format!("http://127.0.0.1:{}", replica.port());
    tokio::spawn(replica.run_until_stopped());
    start_of_a_window().await;
    let email = unique_email();
    first.login(&email, PASSWORD).await;
    first.login(&email, PASSWORD).await;

    let res = first
        .client
        .post(format!("{replica_url}/auth/login"))
        .json(&serde_json::json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 429);
}

#[tokio::test]
async fn zero_turns_the_limits_off() {
    let app = spawn_app().await;
    let email = patient(&app).await;
    for _ in 0..12 {
        assert_eq!(app.login(&email, "Wrong1Password").await.status(), 401);
    }

    assert_eq!(app.login(&email, PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn a_dotted_capital_i_in_the_address_counts_in_the_same_accounts_budget() {
    let app = spawn_app_with(|s| {
        behind_a_proxy(s);
        s.login_limits.per_account_and_address = 3;
    })
    .await;
    // PostgreSQL finds this account for "İ" as for "i"; Rust lower-cases it to "i̇".
    let email = format!("ilse-{}@example.com", uuid::Uuid::new_v4().simple());
    assert_eq!(
        app.register(&registration(&email, "patient"))
            .await
            .status(),
        201
    );
    let variant = email.replacen('i', "İ", 1);
    start_of_a_window().await;
    for typed in [&email, &variant, &email] {
        let res = login_from(&app, "203.0.113.9", typed, "Wrong1Password").await;
        assert_eq!(res.status(), 401);
    }

    let res = login_from(&app, "203.0.113.9", &variant, "Wrong1Password").await;

    assert_problem(res, 429).await;
}

#[tokio::test]
async fn an_ipv6_subscriber_spreading_guesses_over_its_slash_64_is_one_address() {
    let app = spawn_app_with(|s| {
        behind_a_proxy(s);
        s.login_limits.per_account_and_address = 3;
    })
    .await;
    let email = patient(&app).await;
    start_of_a_window().await;
    for host in 1..=3 {
        let address = format!("2001:db8:1:2::{host:x}");
        let res = login_from(&app, &address, &email, "Wrong1Password").await;
        assert_eq!(res.status(), 401);
    }

    let same_subscriber = login_from(&app, "2001:db8:1:2:ffff::7", &email, PASSWORD).await;
    let next_subscriber = login_from(&app, "2001:db8:1:3::1", &email, PASSWORD).await;

    assert_problem(same_subscriber, 429).await;
    assert_eq!(next_subscriber.status(), 200);
}

#[tokio::test]
async fn guessing_the_current_password_with_a_stolen_token_spends_the_login_budget() {
    let app = spawn_app_with(|s| {
        behind_a_proxy(s);
        s.login_limits.per_account_and_address = 3;
    })
    .await;
    let session = app.signed_in("patient").await;
    start_of_a_window().await;
    let change = |current: &str| {
        app.client
            .put(app.url("/users/profile/password"))
            .bearer_auth(&session.access_token)
            .header("X-Forwarded-For", "203.0.113.66")
            .json(&json!({ "current_password": current, "new_password": "An0therPassword" }))
            .send()
    };
    for _ in 0..2 {
        assert_problem(change("Wrong1Password").await.unwrap(), 403).await;
    }
    let email_change = app
        .client
        .put(app.url("/users/profile"))
        .bearer_auth(&session.access_token)
        .header("X-Forwarded-For", "203.0.113.66")
        .json(&json!({ "email": unique_email(), "current_password": "Wrong1Password" }))
        .send()
        .await
        .unwrap();
    assert_problem(email_change, 403).await;

    // The fourth guess is refused before any hashing, the right password too, and the
    // login form from that address is closed for the account as well.
    assert_problem(change("Wrong2Password").await.unwrap(), 429).await;
    assert_problem(change(PASSWORD).await.unwrap(), 429).await;
    let login = login_from(&app, "203.0.113.66", &session.email, PASSWORD).await;
    assert_problem(login, 429).await;
}

#[tokio::test]
async fn past_the_hourly_ceiling_only_known_addresses_sign_in_until_the_mailed_link_is_used() {
    let smtp = test_support::smtp_sink::SmtpSink::start().await;
    let smtp_url = smtp.url();
    let app = spawn_app_with(|s| {
        behind_a_proxy(s);
        s.login_limits.account_ceiling_per_hour = 3;
        s.notifications.smtp_url = Some(common::config::Secret::new(smtp_url));
        s.notifications.retry = std::time::Duration::from_secs(1);
        s.notifications.portal_url = "https://portal.clinic.example".into();
    })
    .await;
    let email = patient(&app).await;
    // The owner signed in from home before; then guessing from all over the world.
    assert_eq!(
        login_from(&app, "203.0.113.10", &email, PASSWORD)
            .await
            .status(),
        200
    );
    for i in 1..=3 {
        let guess = login_from(&app, &format!("198.51.100.{i}"), &email, "Wrong1Password").await;
        assert_eq!(guess.status(), 401, "guess {i}");
    }

    let new_place = login_from(&app, "192.0.2.77", &email, PASSWORD).await;
    let home = login_from(&app, "203.0.113.10", &email, PASSWORD).await;

    let retry_after: u64 = new_place.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    assert_problem(new_place, 429).await;
    assert_eq!(home.status(), 200, "a known address is unaffected");
    // Refused again: still one mail.
    assert_problem(login_from(&app, "192.0.2.78", &email, PASSWORD).await, 429).await;
    assert!(
        test_support::serve::eventually(std::time::Duration::from_secs(10), || async {
            !smtp.mails_without(VERIFICATION).is_empty()
        })
        .await,
        "no unlock mail"
    );
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let mails = smtp.mails_without(VERIFICATION);
    assert_eq!(mails.len(), 1, "one mail per locked hour: {mails:?}");
    assert_eq!(mails[0].to, vec![email.clone()]);
    let link_start = mails[0]
        .body
        .find("https://portal.clinic.example/unlock?token=")
        .expect("the link");
    let token: String = mails[0].body[link_start..]
        .trim_start_matches("https://portal.clinic.example/unlock?token=")
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();

    let unlock = |token: String| {
        app.client
            .post(app.url("/auth/unlock"))
            .json(&json!({ "token": token }))
            .send()
    };
    assert_eq!(unlock(token.clone()).await.unwrap().status(), 204);

    assert_eq!(
        login_from(&app, "192.0.2.77", &email, PASSWORD)
            .await
            .status(),
        200
    );
    let again = assert_problem(unlock(token).await.unwrap(), 400).await;
    assert!(
        again["type"].as_str().unwrap().ends_with("invalid-token"),
        "{again}"
    );
}
