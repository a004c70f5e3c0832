//! Calling a service under test the way a client does: as someone with a bearer token, and
//! checking the problem+json answers.

use common::{Role, UserId};
use reqwest::Response;
use serde_json::Value;

/// Whoever a request is sent as: anything holding an access token.
pub trait Bearer {
    fn token(&self) -> &str;
}

impl Bearer for str {
    fn token(&self) -> &str {
        self
    }
}

impl Bearer for String {
    fn token(&self) -> &str {
        self
    }
}

/// A caller known only by a token the service trusts (minted with the test key).
#[derive(Debug, Clone)]
pub struct Caller {
    pub id: UserId,
    pub token: String,
}

impl Bearer for Caller {
    fn token(&self) -> &str {
        &self.token
    }
}

/// An address no other test uses.
pub fn unique_email() -> String {
    format!("user-{}@example.com", uuid::Uuid::new_v4().simple())
}

/// A new user of `role`, with a token signed by the test key.
pub fn caller(role: Role) -> Caller {
    let id = UserId::new();
    Caller {
        id,
        token: crate::jwt::token_for(id, role),
    }
}

/// A new user of `role` whose token names them (`given_name`, `family_name`).
pub fn named_caller(role: Role, given_name: &str, family_name: &str) -> Caller {
    named_caller_as(UserId::new(), role, given_name, family_name)
}

/// `id` acting as `role`, with a token that names them.
pub fn named_caller_as(id: UserId, role: Role, given_name: &str, family_name: &str) -> Caller {
    let key = crate::jwt::test_key();
    let mut claims = crate::jwt::claims_for(id, role);
    claims["given_name"] = serde_json::Value::from(given_name);
    claims["family_name"] = serde_json::Value::from(family_name);
    Caller {
        id,
        token: key.sign(&key.header(), &claims),
    }
}

/// A running service: requests as a bearer, and its audit trail as an admin sees it.
#[expect(
    async_fn_in_trait,
    reason = "only tests call it, on their own runtime; no Send bound is needed"
)]
pub trait Api {
    fn address(&self) -> &str;
    fn client(&self) -> &reqwest::Client;
    fn platform(&self) -> &common::platform::Platform;

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address())
    }

    async fn get(&self, path: &str, who: &(impl Bearer + ?Sized)) -> Response {
        let request = self.client().get(self.url(path)).bearer_auth(who.token());
        request.send().await.expect("request")
    }

    async fn post(&self, path: &str, who: &(impl Bearer + ?Sized), body: &Value) -> Response {
        let request = self.client().post(self.url(path)).bearer_auth(who.token());
        request.json(body).send().await.expect("request")
    }

    async fn put(&self, path: &str, who: &(impl Bearer + ?Sized), body: &Value) -> Response {
        let request = self.client().put(self.url(path)).bearer_auth(who.token());
        request.json(body).send().await.expect("request")
    }

    async fn patch(&self, path: &str, who: &(impl Bearer + ?Sized), body: &Value) -> Response {
        let request = self.client().patch(self.url(path)).bearer_auth(who.token());
        request.json(body).send().await.expect("request")
    }

    async fn delete(&self, path: &str, who: &(impl Bearer + ?Sized)) -> Response {
        let request = self
            .client()
            .delete(self.url(path))
            .bearer_auth(who.token());
        request.send().await.expect("request")
    }

    /// An anonymous `POST path` (sign-up, login).
    async fn post_json(&self, path: &str, body: &Value) -> Response {
        let request = self.client().post(self.url(path)).json(body);
        request.send().await.expect("request")
    }

    /// The body of an anonymous `GET path` (metrics, scripts), as text.
    async fn text(&self, path: &str) -> String {
        let res = self
            .client()
            .get(self.url(path))
            .send()
            .await
            .expect("request");
        res.text().await.expect("text body")
    }

    /// Writes buffered audit events (reads, denials) now instead of within a second.
    async fn flush_audit(&self) {
        let audit = self.platform().audit.as_ref().expect("audit enabled");
        audit.log.flush().await;
    }

    /// The audit events matching `query` (`?actor_id=...`), as `admin` sees them.
    async fn audit_events_as(&self, admin: &(impl Bearer + ?Sized), query: &str) -> Vec<Value> {
        self.flush_audit().await;
        let res = self.get(&format!("/admin/audit{query}"), admin).await;
        assert_eq!(res.status(), 200);
        res.json().await.expect("audit events")
    }

    /// The audit events matching `query`, as an admin minted with the test key sees them.
    async fn audit_events(&self, query: &str) -> Vec<Value> {
        self.audit_events_as(&caller(Role::Admin), query).await
    }

    /// `GET /admin/audit/verify` as an admin minted with the test key.
    async fn audit_verification(&self) -> Value {
        let res = self.get("/admin/audit/verify", &caller(Role::Admin)).await;
        res.json().await.expect("verification")
    }
}

/// Asserts a problem+json answer of `status` and returns its body.
pub async fn assert_problem(res: Response, status: u16) -> Value {
    assert_eq!(res.status(), status);
    assert_eq!(
        res.headers()["content-type"],
        "application/problem+json",
        "errors are problem+json"
    );
    let body: Value = res.json().await.expect("problem body");
    assert_eq!(body["status"], status);
    assert!(body["title"].is_string());
    body
}

/// The fields a 422 names, sorted.
pub fn error_fields(problem: &Value) -> Vec<String> {
    let mut fields: Vec<String> = problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    fields.sort();
    fields
}

/// `impl Api` for a test app with `address`, `client` and `platform` fields.
#[macro_export]
macro_rules! impl_api {
    ($app:ty) => {
        impl $crate::api::Api for $app {
            fn address(&self) -> &str {
                &self.address
            }
            fn client(&self) -> &reqwest::Client {
                &self.client
            }
            fn platform(&self) -> &common::platform::Platform {
                &self.platform
            }
        }
    };
}
