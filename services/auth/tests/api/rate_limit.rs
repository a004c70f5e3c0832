use crate::helpers::*;

/// Limits count per calendar minute: starting a test in a minute's last seconds would let
/// its attempts straddle two windows. Wait for a fresh one instead.
async fn start_of_a_window() {
    use chrono::Timelike;
    let second = chrono::Utc::now().second();
    if second >= 50 {
        tokio::time::sleep(std::time::Duration::from_secs(u64::from(61 - second))).await;
    }
}

#[tokio::test]
async fn attempts_past_the_limit_for_an_account_get_429_with_retry_after() {
    let app = spawn_app_with(|s| s.login_rate_limit_per_minute = 3).await;
    start_of_a_window().await;
    let email = unique_email();
    app.register(&registration(&email, "patient")).await;
    for _ in 0..3 {
        assert_eq!(app.login(&email, "Wrong1Password").await.status(), 401);
    }

    let limited = app.login(&email, PASSWORD).await;

    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after));
    assert_problem(limited, 429).await;
}

#[tokio::test]
async fn one_client_address_is_limited_across_accounts() {
    let app = spawn_app_with(|s| s.login_rate_limit_per_minute = 3).await;
    start_of_a_window().await;
    for _ in 0..3 {
        app.login(&unique_email(), PASSWORD).await;
    }

    let res = app.login(&unique_email(), PASSWORD).await;

    assert_problem(res, 429).await;
}

#[tokio::test]
async fn the_limit_is_shared_by_replicas_on_one_database() {
    let first = spawn_app_with(|s| s.login_rate_limit_per_minute = 2).await;
    let mut settings = test_settings(&first.db);
    settings.login_rate_limit_per_minute = 2;
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
async fn zero_turns_the_limit_off() {
    let app = spawn_app_with(|s| s.login_rate_limit_per_minute = 0).await;
    let email = unique_email();
    app.register(&registration(&email, "patient")).await;
    for _ in 0..12 {
        assert_eq!(app.login(&email, "Wrong1Password").await.status(), 401);
    }

    assert_eq!(app.login(&email, PASSWORD).await.status(), 200);
}
