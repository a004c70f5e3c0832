use crate::helpers::*;
use serde_json::{Value, json};

#[tokio::test]
async fn refreshing_returns_a_new_pair_and_retires_the_old_token() {
    let app = spawn_app().await;
    let session = app.signed_in("patient").await;

    let res = app.refresh(&session.refresh_token).await;

    assert_eq!(res.status(), 200);
    let pair: Value = res.json().await.unwrap();
    let new_refresh = pair["refresh_token"].as_str().unwrap();
    assert_ne!(new_refresh, session.refresh_token);
    let profile = app
        .get("/users/profile", pair["access_token"].as_str().unwrap())
        .await;
    assert_eq!(profile.status(), 200, "the new access token works");
    assert_eq!(
        app.refresh(new_refresh).await.status(),
        200,
        "the new refresh token works once"
    );
}

#[tokio::test]
async fn presenting_a_rotated_token_again_revokes_the_whole_login() {
    let app = spawn_app().await;
    let session = app.signed_in("patient").await;
    let rotated: Value = app
        .refresh(&session.refresh_token)
        .await
        .json()
        .await
        .unwrap();
    let current = rotated["refresh_token"].as_str().unwrap();

    let replay = app.refresh(&session.refresh_token).await;

    assert_problem(replay, 401).await;
    assert_problem(app.refresh(current).await, 401).await;
}

#[tokio::test]
async fn other_logins_survive_a_reuse_in_one_login() {
    let app = spawn_app().await;
    let first = app.signed_in("patient").await;
    let second = app.session_of(&first.email, PASSWORD).await;
    app.refresh(&first.refresh_token).await;

    app.refresh(&first.refresh_token).await;

    assert_eq!(app.refresh(&second.refresh_token).await.status(), 200);
}

#[tokio::test]
async fn an_unknown_refresh_token_is_401_and_a_missing_one_422() {
    let app = spawn_app().await;

    assert_problem(app.refresh("not-a-real-token").await, 401).await;
    let missing = app.post_json("/auth/refresh", &json!({})).await;
    assert_eq!(
        error_fields(&assert_problem(missing, 422).await),
        ["refresh_token"]
    );
}

#[tokio::test]
async fn logout_ends_that_refresh_token() {
    let app = spawn_app().await;
    let session = app.signed_in("patient").await;

    let res = app
        .client
        .post(app.url("/auth/logout"))
        .bearer_auth(&session.access_token)
        .json(&json!({ "refresh_token": session.refresh_token }))
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 204);
    assert_problem(app.refresh(&session.refresh_token).await, 401).await;
}

#[tokio::test]
async fn logout_needs_a_signed_in_user_and_cannot_end_someone_elses_login() {
    let app = spawn_app().await;
    let victim = app.signed_in("patient").await;
    let intruder = app.signed_in("patient").await;
    let body = json!({ "refresh_token": victim.refresh_token });

    let anonymous = app.post_json("/auth/logout", &body).await;
    let foreign = app
        .client
        .post(app.url("/auth/logout"))
        .bearer_auth(&intruder.access_token)
        .json(&body)
        .send()
        .await
        .unwrap();

    assert_problem(anonymous, 401).await;
    assert_eq!(foreign.status(), 204);
    assert_eq!(
        app.refresh(&victim.refresh_token).await.status(),
        200,
        "victim still signed in"
    );
}

#[tokio::test]
async fn of_concurrent_refreshes_of_one_token_exactly_one_wins() {
    let app = spawn_app().await;
    let session = app.signed_in("patient").await;

    let attempts = (0..10).map(|_| app.refresh(&session.refresh_token));
    let statuses: Vec<u16> = futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .map(|res| res.status().as_u16())
        .collect();

    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        9,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn logout_everywhere_ends_every_login_and_refuses_the_access_tokens_at_once() {
    let app = spawn_app().await;
    let first = app.signed_in("patient").await;
    let second = app.session_of(&first.email, PASSWORD).await;
    // iat has whole seconds: revoke in a later one than the logins.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    let res = app
        .client
        .post(app.url("/auth/logout"))
        .bearer_auth(&first.access_token)
        .json(&json!({ "all": true }))
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 204);
    for session in [&first, &second] {
        let read = app.get("/users/profile", &session.access_token).await;
        assert_eq!(
            assert_problem(read, 401).await["detail"],
            "the access token was revoked"
        );
        assert_problem(app.refresh(&session.refresh_token).await, 401).await;
    }
    let again = app.session_of(&first.email, PASSWORD).await;
    assert_eq!(
        app.get("/users/profile", &again.access_token)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn the_revocation_list_names_revoked_subjects_to_holders_of_the_shared_token() {
    let app = spawn_app_with(|s| {
        s.revocations_token = Some(common::config::Secret::new("s3cret-shared"))
    })
    .await;
    let session = app.signed_in("patient").await;
    app.client
        .post(app.url("/auth/logout"))
        .bearer_auth(&session.access_token)
        .json(&json!({ "all": true }))
        .send()
        .await
        .unwrap();

    let without = app
        .client
        .get(app.url("/auth/revocations"))
        .send()
        .await
        .unwrap();
    let wrong = app.get("/auth/revocations", "not-the-secret").await;
    let listed = app.get("/auth/revocations", "s3cret-shared").await;

    assert_problem(without, 401).await;
    assert_problem(wrong, 401).await;
    assert_eq!(listed.status(), 200);
    let body: Value = listed.json().await.unwrap();
    assert_eq!(body["subjects"][0]["sub"], session.id.as_str());
    let as_of = body["as_of"].as_str().unwrap().to_owned();
    let later = app
        .get(
            &format!("/auth/revocations?since={}", as_of.replace('+', "%2B")),
            "s3cret-shared",
        )
        .await;
    assert_eq!(later.json::<Value>().await.unwrap()["subjects"], json!([]));
}

/// Sleeps until just after the next whole second, so what follows shares one second.
async fn start_of_a_second() {
    let into = chrono::Utc::now().timestamp_subsec_millis();
    tokio::time::sleep(std::time::Duration::from_millis(u64::from(1010 - into))).await;
}

#[tokio::test]
async fn a_token_issued_earlier_in_the_second_of_a_logout_everywhere_is_refused_too() {
    let app = spawn_app().await;
    let session = app.signed_in("patient").await;
    let mut checked = false;
    for _ in 0..5 {
        start_of_a_second().await;
        // What an attacker refreshing ten times a second holds at the moment of revocation.
        let pair: Value = app
            .refresh(&session.refresh_token)
            .await
            .json()
            .await
            .unwrap();
        let stolen = pair["access_token"].as_str().unwrap().to_owned();
        let issued = token_claims(&stolen)["iat"].as_i64().unwrap();
        let res = app
            .client
            .post(app.url("/auth/logout"))
            .bearer_auth(&stolen)
            .json(&json!({ "all": true }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 204);
        if chrono::Utc::now().timestamp() != issued {
            continue; // the second ran out: the case is not the one under test
        }
        let read = app.get("/users/profile", &stolen).await;
        assert_eq!(
            assert_problem(read, 401).await["detail"],
            "the access token was revoked"
        );
        // The owner signs in again in that same second, and is let in at once.
        let again = app.session_of(&session.email, PASSWORD).await;
        assert_eq!(
            app.get("/users/profile", &again.access_token)
                .await
                .status(),
            200
        );
        checked = true;
        break;
    }
    assert!(
        checked,
        "never managed a refresh and a revocation within one second"
    );
}

#[tokio::test]
async fn a_reused_refresh_token_also_ends_the_access_tokens_of_the_account() {
    let app = spawn_app().await;
    let session = app.signed_in("patient").await;
    let rotated: Value = app
        .refresh(&session.refresh_token)
        .await
        .json()
        .await
        .unwrap();
    let thiefs_access = rotated["access_token"].as_str().unwrap().to_owned();

    assert_problem(app.refresh(&session.refresh_token).await, 401).await;

    let refused = test_support::serve::eventually(std::time::Duration::from_secs(5), || async {
        app.get("/users/profile", &thiefs_access).await.status() == 401
    })
    .await;
    assert!(refused, "the access token of the stolen login still works");
    let again = app.session_of(&session.email, PASSWORD).await;
    assert_eq!(
        app.get("/users/profile", &again.access_token)
            .await
            .status(),
        200
    );
}
