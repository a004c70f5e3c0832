//! What every service shares, checked on auth-service: metrics, CORS, security headers,
//! graceful shutdown.

use crate::helpers::*;
use std::time::Duration;

#[tokio::test]
async fn metrics_count_requests_by_route_template_never_by_raw_path() {
    let app = spawn_app().await;
    app.client.get(app.url("/health")).send().await.unwrap();
    app.client
        .get(app.url("/users/profile"))
        .send()
        .await
        .unwrap();
    app.client
        .get(app.url(&format!("/no/such/{}", uuid::Uuid::new_v4())))
        .send()
        .await
        .unwrap();

    let res = app.client.get(app.url("/metrics")).send().await.unwrap();

    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = res.text().await.unwrap();
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="/health",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="/users/profile",status="401"} 1"#)
    );
    assert!(text.contains(r#"route="unmatched""#));
    assert!(text.contains("http_request_duration_seconds_bucket"));
    assert!(text.contains(r#"db_pool_connections{state="idle"}"#));
    assert!(!text.contains("/no/such/"), "raw paths never become labels");
}

#[tokio::test]
async fn upstream_calls_are_measured_and_failures_counted() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.get("/admin/analytics", &admin.access_token).await;

    let text = app.text("/metrics").await;

    assert!(
        text.contains(r#"upstream_failures_total{upstream="appointment-service"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(
            r#"upstream_request_duration_seconds_count{upstream="prescription-service"} 1"#
        )
    );
}

#[tokio::test]
async fn only_listed_origins_get_cors_headers() {
    let app =
        spawn_app_with(|s| s.http.cors_allowed_origins = vec!["https://app.example.com".into()])
            .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/users/profile"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "authorization")
            .send()
    };

    let allowed = preflight("https://app.example.com").await.unwrap();
    let other = preflight("https://evil.example.com").await.unwrap();
    let simple = app
        .client
        .get(app.url("/health"))
        .header("Origin", "https://evil.example.com")
        .send()
        .await
        .unwrap();

    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    assert!(
        allowed
            .headers()
            .get("access-control-allow-credentials")
            .is_none()
    );
    assert!(other.headers().get("access-control-allow-origin").is_none());
    assert!(
        simple
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    assert_eq!(simple.status(), 200);
}

#[tokio::test]
async fn a_refused_preflight_is_a_403_problem_and_patch_is_allowed_to_listed_origins() {
    let app =
        spawn_app_with(|s| s.http.cors_allowed_origins = vec!["http://localhost:5173".into()])
            .await;
    let preflight = |origin: &'static str, method: &'static str, headers: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/users/some-id"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", method)
            .header("Access-Control-Request-Headers", headers)
            .send()
    };

    let patch = preflight(
        "http://localhost:5173",
        "PATCH",
        "authorization, content-type",
    )
    .await
    .unwrap();
    let stranger = preflight("https://evil.example.com", "GET", "authorization")
        .await
        .unwrap();
    let odd_method = preflight("http://localhost:5173", "PROPFIND", "")
        .await
        .unwrap();
    let odd_header = preflight("http://localhost:5173", "GET", "x-secret-sauce")
        .await
        .unwrap();

    assert!(patch.status().is_success(), "{}", patch.status());
    let methods = patch.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(methods.contains("PATCH"), "{methods}");
    assert!(stranger.headers().contains_key("x-request-id"));
    let problem = assert_problem(stranger, 403).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("CORS_ALLOWED_ORIGINS")
    );
    assert_problem(odd_method, 403).await;
    assert_problem(odd_header, 403).await;
}

#[tokio::test]
async fn api_responses_are_not_cached_or_sniffed() {
    let app = spawn_app().await;

    let res = app
        .client
        .get(app.url("/users/profile"))
        .send()
        .await
        .unwrap();

    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn shutdown_fails_readiness_first_then_stops_serving() {
    let app = spawn_app_with(|s| s.http.drain_period = Duration::from_millis(800)).await;
    assert_eq!(
        app.client
            .get(app.url("/health/ready"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    app.platform.lifecycle.start_draining();

    let ready = app
        .client
        .get(app.url("/health/ready"))
        .send()
        .await
        .unwrap();
    assert_problem(ready, 503).await;
    let live = app.client.get(app.url("/health")).send().await.unwrap();
    assert_eq!(
        live.status(),
        200,
        "still serving while load balancers drain"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        reqwest::Client::new()
            .get(app.url("/health"))
            .send()
            .await
            .is_err(),
        "listener closed"
    );
}

#[tokio::test]
async fn sigterm_lets_requests_in_flight_finish() {
    let app = spawn_app().await;
    let mut emails = Vec::new();
    for _ in 0..4 {
        let email = unique_email();
        app.register(&registration(&email, "patient")).await;
        emails.push(email);
    }
    // Four logins take at least two argon2 rounds (one per core at a time).
    let logins: Vec<_> = emails
        .iter()
        .map(|email| app.login(email, PASSWORD))
        .collect();
    let in_flight = tokio::spawn({
        let lifecycle = app.platform.lifecycle.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(15)).await;
            // nextest runs each test in its own process, so a real SIGTERM only reaches
            // this test's service; under `cargo test` threads share a process, so begin
            // the same shutdown without the signal.
            if std::env::var_os("NEXTEST").is_some() {
                std::process::Command::new("kill")
                    .args(["-TERM", &std::process::id().to_string()])
                    .status()
                    .expect("send SIGTERM");
            } else {
                lifecycle.start_draining();
            }
        }
    });

    let answers = futures_util::future::join_all(logins).await;
    in_flight.await.unwrap();

    for answer in answers {
        assert_eq!(answer.status(), 200, "a request in flight completes");
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.platform.lifecycle.is_draining());
    assert!(
        reqwest::Client::new()
            .get(app.url("/health"))
            .send()
            .await
            .is_err(),
        "then it stops"
    );
}

#[tokio::test]
async fn every_get_route_answers_head_without_a_body_and_other_methods_405_with_allow() {
    let app = spawn_app().await;
    let admin = test_support::api::caller(common::Role::Admin);

    for path in [
        "/health",
        "/.well-known/jwks.json",
        "/admin/audit",
        "/users/",
        "/openapi.json",
        "/docs/",
        "/fhir/metadata",
    ] {
        let get = app
            .client
            .get(app.url(path))
            .bearer_auth(&admin.token)
            .send()
            .await
            .unwrap();
        let head = app
            .client
            .head(app.url(path))
            .bearer_auth(&admin.token)
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), 200, "HEAD {path}");
        assert_eq!(
            head.headers().get("content-type"),
            get.headers().get("content-type"),
            "HEAD {path} says what GET answers"
        );
        assert!(
            head.bytes().await.unwrap().is_empty(),
            "HEAD {path} has no body"
        );
    }
    for path in ["/admin/audit", "/admin/audit/verify", "/health", "/metrics"] {
        let res = app.client.delete(app.url(path)).send().await.unwrap();
        assert_eq!(res.headers()["allow"], "GET, HEAD", "{path}");
        assert_problem(res, 405).await;
    }
}

#[tokio::test]
async fn an_invented_method_does_not_make_a_new_metrics_series() {
    let app = spawn_app().await;
    for verb in ["BREW", "WHEN", "TEAPOT"] {
        let method = reqwest::Method::from_bytes(verb.as_bytes()).unwrap();
        app.client
            .request(method, app.url("/health"))
            .send()
            .await
            .unwrap();
    }

    let text = app.text("/metrics").await;

    assert!(!text.contains("BREW") && !text.contains("TEAPOT"));
    assert!(text.contains("method=\"other\""), "{text}");
}

#[tokio::test]
async fn nothing_may_be_framed_and_the_docs_run_only_their_own_scripts() {
    let app = spawn_app().await;

    let api = app.client.get(app.url("/health")).send().await.unwrap();
    let docs = app.client.get(app.url("/docs/")).send().await.unwrap();

    assert_eq!(api.headers()["x-frame-options"], "DENY");
    assert_eq!(
        api.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
    assert_eq!(docs.headers()["x-frame-options"], "DENY");
    let policy = docs.headers()["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"));
}

#[tokio::test]
async fn a_body_that_trickles_in_is_cut_off_with_a_408_problem() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app_with(|s| s.http.body_timeout = Duration::from_secs(1)).await;
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();

    stream
        .write_all(
            b"POST /auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"email\":",
        )
        .await
        .unwrap();
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("the service answers instead of waiting for the rest")
        .unwrap();

    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
}

#[tokio::test]
async fn an_oversized_uri_or_header_is_a_problem_not_a_bare_error() {
    let app = spawn_app().await;
    let long_path = format!("/users/{}", "a".repeat(20_000));
    let long_query = format!("/health?pad={}", "a".repeat(20_000));
    let long_but_fine = format!("/users/{}", "a".repeat(12_000));

    let uri = app.client.get(app.url(&long_path)).send().await.unwrap();
    let query = app.client.get(app.url(&long_query)).send().await.unwrap();
    let header = app
        .client
        .get(app.url("/health"))
        .header("x-padding", "a".repeat(20_000))
        .send()
        .await
        .unwrap();
    let many_headers = {
        let mut request = app.client.get(app.url("/health"));
        for i in 0..80 {
            request = request.header(format!("x-padding-{i}"), "a".repeat(1_000));
        }
        request.send().await.unwrap()
    };
    let fine = app
        .client
        .get(app.url(&long_but_fine))
        .send()
        .await
        .unwrap();

    assert!(uri.headers().contains_key("x-request-id"));
    let problem = assert_problem(uri, 414).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("16384"),
        "{problem}"
    );
    assert_problem(query, 414).await;
    assert_problem(header, 431).await;
    assert_problem(many_headers, 431).await;
    assert!(
        matches!(fine.status().as_u16(), 401 | 404),
        "a 12 KB path reaches the routes: {}",
        fine.status()
    );
}

#[tokio::test]
async fn the_root_links_the_docs_health_and_metrics_relatively() {
    let app = spawn_app().await;

    let landing: serde_json::Value = app
        .client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(landing["service"], "auth-service");
    for link in ["docs", "openapi", "health", "ready", "metrics"] {
        let target = landing[link].as_str().unwrap();
        assert!(
            !target.starts_with('/'),
            "relative, for path prefixes: {target}"
        );
        let res = app
            .client
            .get(app.url(&format!("/{target}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{link}: {target}");
    }
}

/// A connection opened and left unused (as an HTTP client's pool does) is closed without
/// an answer: a 408 there would reach the client as an answer to its next request.
#[tokio::test]
async fn a_connection_that_sends_no_request_is_closed_without_an_answer() {
    use tokio::io::AsyncReadExt;
    let app = spawn_app().await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut idle = tokio::net::TcpStream::connect(&address).await.unwrap();

    let mut received = Vec::new();
    let read = tokio::time::timeout(
        common::idle_connections::FIRST_REQUEST_WITHIN * 3,
        idle.read_to_end(&mut received),
    )
    .await;

    assert!(read.is_ok(), "the server closes it");
    assert_eq!(
        String::from_utf8_lossy(&received),
        "",
        "and sends nothing, no 408"
    );
}

/// Hundreds of connections at once, then again once the unused ones have been closed:
/// every request is answered, none fails in transport. A guard for the idle-connection
/// watch under load; it did not reproduce the unasked 408 (hyper rarely leaves a fresh
/// connection unused here), which the raw-socket test above does.
#[tokio::test]
async fn hundreds_of_connections_at_once_see_no_transport_error() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    for round in 0..2 {
        let requests = (0..300).map(|_| {
            let (client, url) = (client.clone(), app.url("/health"));
            tokio::spawn(async move { client.get(url).send().await.map(|r| r.status()) })
        });
        let answers = futures_util::future::join_all(requests).await;
        let failed: Vec<String> = answers
            .into_iter()
            .map(|joined| joined.unwrap())
            .filter_map(|answer| match answer {
                Ok(status) if status == 200 => None,
                Ok(status) => Some(status.to_string()),
                Err(error) => Some(format!("{error:?}")),
            })
            .collect();
        assert!(failed.is_empty(), "round {round}: {failed:?}");
        tokio::time::sleep(common::idle_connections::FIRST_REQUEST_WITHIN + Duration::from_secs(1))
            .await;
    }
}
