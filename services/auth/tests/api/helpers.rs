use auth_service::config::{BootstrapAdmin, SigningKeySource};
use auth_service::{Application, Settings};
use common::config::Secret;
use reqwest::Response;
use serde_json::{Value, json};
pub use test_support::api::{Api, Bearer, assert_problem, error_fields, unique_email};
use test_support::db::TestDatabase;
pub use test_support::jwt::token_claims;
use test_support::serve::{Served, serve};

pub const PASSWORD: &str = "Str0ngPassword";

pub struct TestApp {
    pub address: String,
    pub db: TestDatabase,
    pub client: reqwest::Client,
    pub platform: common::platform::Platform,
}

test_support::impl_api!(TestApp);

/// The real configuration for tests, signing with the test key; both peers are down.
pub fn test_settings(db: &TestDatabase) -> Settings {
    let mut settings = Settings::for_tests(&db.url);
    settings.tokens.signing_key =
        SigningKeySource::Pem(Secret::new(test_support::jwt::test_key().pem.clone()));
    settings
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(customize: impl FnOnce(&mut Settings)) -> TestApp {
    test_support::init_tracing();
    let db = TestDatabase::create(auth_service::MIGRATIONS);
    let mut settings = test_settings(&db);
    customize(&mut settings);
    start(settings, db).await
}

pub async fn start(settings: Settings, db: TestDatabase) -> TestApp {
    let app = Application::build(settings).await.expect("build app");
    let Served {
        address, platform, ..
    } = serve(app);
    let client = reqwest::Client::new();
    TestApp {
        address,
        db,
        client,
        platform,
    }
}

pub fn bootstrap(email: &str, password: &str) -> Option<BootstrapAdmin> {
    Some(BootstrapAdmin {
        email: email.into(),
        password: Secret::new(password),
        reset: false,
    })
}

pub fn registration(email: &str, role: &str) -> Value {
    json!({
        "email": email,
        "password": PASSWORD,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "role": role,
    })
}

/// A signed-in user as the API sees them.
pub struct Session {
    pub id: String,
    pub email: String,
    pub access_token: String,
    pub refresh_token: String,
}

impl Bearer for Session {
    fn token(&self) -> &str {
        &self.access_token
    }
}

impl TestApp {
    pub async fn register(&self, body: &Value) -> Response {
        self.post_json("/auth/register", body).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post_json(
            "/auth/login",
            &json!({ "email": email, "password": password }),
        )
        .await
    }

    /// Registers a fresh user of `role` (patient or doctor) and logs them in.
    pub async fn signed_in(&self, role: &str) -> Session {
        let email = unique_email();
        let res = self.register(&registration(&email, role)).await;
        assert_eq!(
            res.status(),
            201,
            "register: {}",
            res.text().await.unwrap_or_default()
        );
        self.session_of(&email, PASSWORD).await
    }

    pub async fn session_of(&self, email: &str, password: &str) -> Session {
        let res = self.login(email, password).await;
        assert_eq!(
            res.status(),
            200,
            "login: {}",
            res.text().await.unwrap_or_default()
        );
        let body: Value = res.json().await.expect("json");
        Session {
            id: body["user"]["id"].as_str().expect("id").to_owned(),
            email: email.to_owned(),
            access_token: body["access_token"].as_str().expect("access").to_owned(),
            refresh_token: body["refresh_token"].as_str().expect("refresh").to_owned(),
        }
    }

    /// An admin created directly in the database (there is no public way to become one).
    pub async fn admin(&self) -> Session {
        let email = unique_email();
        let hash = argon2_hash(PASSWORD);
        let mut conn = self.db.connect();
        diesel::RunQueryDsl::execute(
            diesel::sql_query(
                "INSERT INTO users (id, email, password_hash, role, first_name, last_name) \
                 VALUES (gen_random_uuid(), $1, $2, 'admin', 'Ada', 'Admin')",
            )
            .bind::<diesel::sql_types::Text, _>(&email)
            .bind::<diesel::sql_types::Text, _>(&hash),
            &mut conn,
        )
        .expect("insert admin");
        self.session_of(&email, PASSWORD).await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Response {
        self.post_json("/auth/refresh", &json!({ "refresh_token": refresh_token }))
            .await
    }
}

fn argon2_hash(password: &str) -> String {
    use argon2::password_hash::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .expect("hash")
        .to_string()
}

/// Where links in the mail of the mail tests point.
pub const PORTAL: &str = "https://portal.clinic.example";

/// The subject of the verification mail every sign-up gets, for tests about other mail.
pub const VERIFICATION: &str = "Confirm your e-mail address";

/// auth-service sending mail to a real SMTP server started here, links under `PORTAL`.
pub async fn spawn_app_with_mail() -> (TestApp, test_support::smtp_sink::SmtpSink) {
    let smtp = test_support::smtp_sink::SmtpSink::start().await;
    let smtp_url = smtp.url();
    let app = spawn_app_with(|s| {
        s.notifications.smtp_url = Some(Secret::new(smtp_url));
        s.notifications.retry = std::time::Duration::from_secs(1);
        s.notifications.portal_url = PORTAL.into();
    })
    .await;
    (app, smtp)
}

/// The mails to `email` (but those titled `except`), once there are `count` (or after ten
/// seconds, however many there are).
pub async fn mails_to(
    smtp: &test_support::smtp_sink::SmtpSink,
    email: &str,
    count: usize,
    except: Option<&str>,
) -> Vec<test_support::smtp_sink::Mail> {
    let mine = || {
        except
            .map_or_else(|| smtp.mails(), |subject| smtp.mails_without(subject))
            .into_iter()
            .filter(|m| m.to.iter().any(|to| to == email))
            .collect::<Vec<_>>()
    };
    for _ in 0..100 {
        if mine().len() >= count {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    mine()
}

/// The token of the `PORTAL/<page>?token=` link in `mail`.
pub fn link_token(mail: &test_support::smtp_sink::Mail, page: &str) -> String {
    let prefix = format!("{PORTAL}/{page}?token=");
    let start = mail.body.find(&prefix).expect("the link") + prefix.len();
    mail.body[start..]
        .split_whitespace()
        .next()
        .expect("a token")
        .to_owned()
}
