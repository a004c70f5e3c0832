use auth_service::config::{BootstrapAdmin, PeerSettings, SigningKeySource, TokenSettings};
use auth_service::{Application, Settings};
use common::config::{Environment, HttpSettings, LogFormat, Secret};
use common::db::DbSettings;
use reqwest::Response;
use serde_json::{Value, json};
use std::time::Duration;
use test_support::db::TestDatabase;

pub const PASSWORD: &str = "Str0ngPassword";

pub struct TestApp {
    pub address: String,
    pub db: TestDatabase,
    pub client: reqwest::Client,
    pub lifecycle: std::sync::Arc<common::lifecycle::Lifecycle>,
    pub platform: common::platform::Platform,
}

/// Settings a test can adjust before the app starts; nothing is read from the environment.
pub fn test_settings(db: &TestDatabase) -> Settings {
    Settings {
        environment: Environment::Development,
        http: HttpSettings::ephemeral(),
        database: DbSettings {
            url: Secret::new(db.url.clone()),
            max_connections: 4,
            acquire_timeout: Duration::from_secs(2),
            statement_timeout: Duration::from_secs(5),
        },
        tokens: TokenSettings {
            issuer: common::auth::DEFAULT_ISSUER.into(),
            access_ttl: Duration::from_secs(900),
            refresh_ttl: Duration::from_secs(30 * 24 * 3600),
            signing_key: SigningKeySource::Pem(Secret::new(
                test_support::jwt::test_key().pem.clone(),
            )),
            additional_public_keys: Vec::new(),
        },
        bootstrap_admin: None,
        login_rate_limit_per_minute: 0,
        peers: PeerSettings {
            // Nothing listens on port 9 (discard): a peer that is down.
            appointment_url: "http://127.0.0.1:9".into(),
            prescription_url: "http://127.0.0.1:9".into(),
            timeout: Duration::from_millis(500),
        },
        log_format: LogFormat::Text,
    }
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
    let address = format!("http://127.0.0.1:{}", app.port());
    let lifecycle = app.lifecycle();
    let platform = app.platform();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        db,
        client: reqwest::Client::new(),
        lifecycle,
        platform,
    }
}

pub fn bootstrap(email: &str, password: &str) -> Option<BootstrapAdmin> {
    Some(BootstrapAdmin {
        email: email.into(),
        password: Secret::new(password),
    })
}

pub fn unique_email() -> String {
    format!("user-{}@example.com", uuid::Uuid::new_v4().simple())
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

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn get_as(&self, path: &str, token: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

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

/// The fields a 422 names.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

impl TestApp {
    /// Runs a `SELECT count(*) AS n ...` straight against the service's database.
    pub fn db_count(&self, sql: &str) -> i64 {
        let mut conn = self.db.connect();
        diesel::RunQueryDsl::get_result::<Count>(diesel::sql_query(sql), &mut conn)
            .expect("count query")
            .n
    }
}

impl TestApp {
    /// Writes buffered audit events (reads, denials) now instead of within a second.
    pub async fn flush_audit(&self) {
        self.platform
            .audit
            .as_ref()
            .expect("audit enabled")
            .log
            .flush()
            .await;
    }

    /// The audit events matching `query` (for example `?actor_id=...`), as an admin sees them.
    pub async fn audit_events(&self, admin: &Session, query: &str) -> Vec<Value> {
        self.flush_audit().await;
        let res = self
            .get_as(&format!("/admin/audit{query}"), &admin.access_token)
            .await;
        assert_eq!(res.status(), 200);
        res.json().await.expect("audit events")
    }
}
