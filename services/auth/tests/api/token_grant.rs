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
    assert_oauth_error(wrong, "invalid_grant").await;
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
async fn an_unknown_grant_type_is_unsupported_grant_type() {
    let app = spawn_app().await;

    let res = app
        .client
        .post(app.url("/auth/token"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();

    assert_oauth_error(res, "unsupported_grant_type").await;
}

/// An RFC 6749 section 5.2 error: 400, JSON, `error` and a description.
async fn assert_oauth_error(res: reqwest::Response, error: &str) {
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()["content-type"], "application/json");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], error, "{body}");
    assert!(body["error_description"].is_string());
}

#[tokio::test]
async fn missing_fields_a_used_refresh_token_and_a_wrong_content_type_are_oauth_errors() {
    let app = spawn_app().await;
    let session = app.signed_in("patient").await;
    app.refresh(&session.refresh_token).await;
    let post = |form: Vec<(&'static str, String)>| {
        app.client.post(app.url("/auth/token")).form(&form).send()
    };

    let missing = post(vec![("username", session.email.clone())])
        .await
        .unwrap();
    let spent = post(vec![
        ("grant_type", "refresh_token".into()),
        ("refresh_token", session.refresh_token.clone()),
    ])
    .await
    .unwrap();
    let json = app
        .client
        .post(app.url("/auth/token"))
        .json(&serde_json::json!({ "username": session.email }))
        .send()
        .await
        .unwrap();

    assert_oauth_error(missing, "invalid_request").await;
    assert_oauth_error(spent, "invalid_grant").await;
    assert_oauth_error(json, "invalid_request").await;
}

#[tokio::test]
async fn the_metadata_names_the_token_endpoint_and_its_grants() {
    let app = spawn_app().await;

    let res = app
        .client
        .get(app.url("/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_endpoint"], app.url("/auth/token"));
    assert_eq!(body["jwks_uri"], app.url("/.well-known/jwks.json"));
    assert_eq!(
        body["grant_types_supported"],
        serde_json::json!(["password", "refresh_token"])
    );
    assert_eq!(
        body["token_endpoint_auth_methods_supported"],
        serde_json::json!(["none"])
    );
}

#[tokio::test]
async fn behind_a_proxy_prefix_the_metadata_points_under_public_base_url() {
    let base = "https://api.example.com/api/auth";
    let app = spawn_app_with(|s| s.http.public_base_url = Some(base.into())).await;

    let res = app
        .client
        .get(app.url("/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap();

    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_endpoint"], format!("{base}/auth/token"));
    assert_eq!(body["jwks_uri"], format!("{base}/.well-known/jwks.json"));
}

async fn metadata_with_forwarded_host(app: &TestApp) -> Value {
    app.client
        .get(app.url("/.well-known/oauth-authorization-server"))
        .header("X-Forwarded-Host", "attacker.example")
        .header("X-Forwarded-Proto", "https")
        .header("Forwarded", "host=attacker.example;proto=https")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn forwarded_host_headers_move_the_links_only_from_a_trusted_proxy() {
    let app = spawn_app().await;

    let body = metadata_with_forwarded_host(&app).await;

    assert_eq!(body["token_endpoint"], app.url("/auth/token"), "{body}");
    assert!(!body.to_string().contains("attacker.example"), "{body}");

    let behind_proxy = spawn_app_with(|s| {
        s.http.trusted_proxies =
            common::client_address::TrustedProxies::parse(&["127.0.0.1/32".into()]).unwrap();
    })
    .await;
    let body = metadata_with_forwarded_host(&behind_proxy).await;
    assert_eq!(
        body["token_endpoint"],
        "https://attacker.example/auth/token"
    );
}

/// authlib validating the RFC 8414 metadata, then PyJWT checking an access token as an
/// RFC 9068 resource server does: signature from the JWKS, `iss` against the metadata's
/// issuer, `aud`, `typ: at+jwt` and `client_id`.
const METADATA_AND_TOKEN_CHECK: &str = r#"
import sys, json, requests, jwt
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
base, email, password = sys.argv[1:4]
doc = requests.get(base + "/.well-known/oauth-authorization-server").json()
AuthorizationServerMetadata(doc).validate()
assert doc["issuer"] == "https://auth.clinic.example", doc["issuer"]
token = requests.post(base + "/auth/token", data={"grant_type": "password", "username": email, "password": password}).json()["access_token"]
header = jwt.get_unverified_header(token)
assert header["typ"] == "at+jwt", header
keys = requests.get(base + "/.well-known/jwks.json").json()["keys"]
key = next(jwt.PyJWK(k) for k in keys if k["kid"] == header["kid"])
claims = jwt.decode(token, key, algorithms=["EdDSA"], audience="healthcare", issuer=doc["issuer"])
assert claims["client_id"] == "healthcare-api", claims
print(json.dumps(claims))
"#;

#[tokio::test]
async fn with_an_https_public_base_the_metadata_validates_and_tokens_carry_its_issuer() {
    let app = spawn_app_with(|s| {
        s.http.public_base_url = Some("https://auth.clinic.example".into());
    })
    .await;
    let email = unique_email();
    app.register(&registration(&email, "patient")).await;

    let claims = test_support::python::run_script(
        METADATA_AND_TOKEN_CHECK,
        vec![app.url(""), email, PASSWORD.to_owned()],
    )
    .await;

    let claims: Value = serde_json::from_str(&claims).unwrap();
    assert_eq!(claims["iss"], "https://auth.clinic.example");
}

#[tokio::test]
async fn without_a_public_base_the_issuer_is_jwt_issuer_and_its_tokens_say_so() {
    let app =
        spawn_app_with(|s| s.tokens.jwt_issuer = Some("https://sso.clinic.example".into())).await;
    let session = app.signed_in("patient").await;

    let metadata: Value = app
        .client
        .get(app.url("/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(metadata["issuer"], "https://sso.clinic.example");
    assert_eq!(
        metadata["response_types_supported"],
        serde_json::json!(["none"])
    );
    let claims = test_support::jwt::token_claims(&session.access_token);
    assert_eq!(claims["iss"], "https://sso.clinic.example");
    assert_eq!(claims["client_id"], "healthcare-api");
}

/// authlib, an OAuth2 client library, as a client developer would use it: the password
/// grant, the refresh grant, and a wrong password read as `invalid_grant`.
const AUTHLIB_CLIENT: &str = r#"
import sys
from authlib.integrations.requests_client import OAuth2Session, OAuthError
token_url, email, password = sys.argv[1:4]
client = OAuth2Session(client_id="clinic-app", token_endpoint_auth_method="none")
token = client.fetch_token(token_url, grant_type="password", username=email, password=password)
assert token["token_type"].lower() == "bearer", token
renewed = client.refresh_token(token_url, refresh_token=token["refresh_token"])
assert renewed["refresh_token"] != token["refresh_token"]
try:
    client.fetch_token(token_url, grant_type="password", username=email, password="Wrong1Password")
    sys.exit("a wrong password was accepted")
except OAuthError as error:
    assert error.error == "invalid_grant", error.error
print("authlib: ok")
"#;

#[tokio::test]
async fn an_oauth2_client_library_completes_both_grants_and_reads_invalid_grant() {
    let app = spawn_app().await;
    let email = unique_email();
    app.register(&registration(&email, "patient")).await;
    let python = test_support::openapi::python_tool("python");
    let token_url = app.url("/auth/token");

    let args = [token_url, email, PASSWORD.to_owned()];
    // Off the runtime: the service under test answers on it meanwhile.
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .arg("-c")
            .arg(AUTHLIB_CLIENT)
            .args(args)
            .output()
    })
    .await
    .unwrap()
    .unwrap();

    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
