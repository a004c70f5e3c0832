//! The real peers of a service under test, in-process on port 0 over fresh databases:
//! auth-service signing with the test key (so every service trusting that key accepts its
//! tokens), its users made through its own API; appointment-service trusting the test key.
//! Tests about an interaction use these instead of a stand-in.

#![expect(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed step should fail the test loudly, which is what a panic does"
)]

use common::auth::VerifierSettings;
use common::config::Secret;
use serde_json::{Value, json};
use test_support::api::{Caller, unique_email};
use test_support::db::TestDatabase;
use test_support::serve::{Served, serve};

const ADMIN_EMAIL: &str = "admin@peer-tests.example.com";
const PASSWORD: &str = "Str0ngPassword";

/// auth-service for real, on its own database, signing with the test key.
pub struct RealAuth {
    pub address: String,
    pub handle: actix_web::dev::ServerHandle,
    pub client: reqwest::Client,
    /// Its database (a second replica over the same data).
    pub db: TestDatabase,
}

pub async fn start_auth() -> RealAuth {
    start_auth_with(|_| {}).await
}

/// auth-service with its test settings changed by `customize` (peers, lifetimes).
pub async fn start_auth_with(customize: impl FnOnce(&mut auth_service::Settings)) -> RealAuth {
    use auth_service::config::{BootstrapAdmin, SigningKeySource};
    test_support::init_tracing();
    let db = TestDatabase::create(auth_service::MIGRATIONS);
    let mut settings = auth_service::Settings::for_tests(&db.url);
    settings.tokens.refresh_ttl = std::time::Duration::from_secs(3600);
    settings.tokens.signing_key =
        SigningKeySource::Pem(Secret::new(test_support::jwt::test_key().pem.clone()));
    settings.bootstrap_admin = Some(BootstrapAdmin {
        email: ADMIN_EMAIL.into(),
        password: Secret::new(PASSWORD),
        reset: false,
    });
    customize(&mut settings);
    let app = auth_service::Application::build(settings)
        .await
        .expect("build auth-service");
    let Served {
        address, handle, ..
    } = serve(app);
    RealAuth {
        address,
        handle,
        client: reqwest::Client::new(),
        db,
    }
}

impl RealAuth {
    /// A logged-in user, created by the admin: a doctor is vetted and may publish a
    /// profile, and every account's address counts as verified (no verification mail in
    /// the way of a test about other mail).
    pub async fn user(&self, role: &str, first: &str, last: &str) -> Caller {
        let email = unique_email();
        let account = json!({ "email": email, "password": PASSWORD, "first_name": first, "last_name": last, "role": role });
        let admin = self.login(ADMIN_EMAIL).await;
        let users = format!("{}/users/", self.address);
        let request = self.client.post(users).bearer_auth(&admin.token);
        let res = request.json(&account).send().await.unwrap();
        assert_eq!(res.status(), 201);
        self.login(&email).await
    }

    /// A doctor who signed up and awaits an admin's approval.
    pub async fn unapproved_doctor(&self) -> Caller {
        let email = unique_email();
        let account = json!({ "email": email, "password": PASSWORD, "first_name": "Gregory", "last_name": "House", "role": "doctor" });
        let register = format!("{}/auth/register", self.address);
        let res = self
            .client
            .post(register)
            .json(&account)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        self.login(&email).await
    }

    async fn login(&self, email: &str) -> Caller {
        let credentials = json!({ "email": email, "password": PASSWORD });
        let res = self.client.post(format!("{}/auth/login", self.address));
        let login: Value = res
            .json(&credentials)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Caller {
            id: login["user"]["id"].as_str().unwrap().parse().unwrap(),
            token: login["access_token"].as_str().unwrap().to_owned(),
        }
    }
}

/// appointment-service for real over `db`, trusting the test key, with its test settings
/// changed by `customize` (a fixed port to restart on, TLS).
pub async fn start_appointments(
    db: &TestDatabase,
    customize: impl FnOnce(&mut appointment_service::Settings),
) -> Served {
    let mut settings = appointment_service::Settings::for_tests(&db.url);
    settings.tokens = VerifierSettings::trusting(test_support::jwt::jwks());
    customize(&mut settings);
    let app = appointment_service::Application::build(settings)
        .await
        .expect("build appointment-service");
    serve(app)
}
