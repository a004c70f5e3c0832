use actix_web::dev::ServerHandle;
use appointment_service::config::UpstreamSettings;
use appointment_service::{Application, Settings};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use common::auth::{DEFAULT_ISSUER, KeySource, VerifierSettings};
use common::config::{Environment, HttpSettings, LogFormat, Secret};
use common::db::DbSettings;
use common::{Role, UserId};
use diesel::RunQueryDsl;
use diesel::sql_types::{Array, Int2, Int4, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use reqwest::Response;
use serde_json::{Value, json};
use test_support::db::TestDatabase;
use test_support::jwt::token_for;

pub struct TestApp {
    pub address: String,
    pub db: TestDatabase,
    pub client: reqwest::Client,
    pub platform: common::platform::Platform,
}

/// Nothing listens on port 9 (discard): an auth-service that is down.
pub const AUTH_DOWN: &str = "http://127.0.0.1:9";

pub fn test_settings(db: &TestDatabase) -> Settings {
    Settings {
        environment: Environment::Development,
        http: HttpSettings::ephemeral(),
        database: DbSettings {
            url: Secret::new(db.url.clone()),
            max_connections: 8,
            acquire_timeout: std::time::Duration::from_secs(5),
            statement_timeout: std::time::Duration::from_secs(5),
        },
        tokens: VerifierSettings {
            issuer: DEFAULT_ISSUER.into(),
            keys: KeySource::Static(test_support::jwt::jwks()),
        },
        auth_service: UpstreamSettings {
            url: AUTH_DOWN.into(),
            timeout: std::time::Duration::from_millis(1000),
        },
        log_format: LogFormat::Text,
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(customize: impl FnOnce(&mut Settings)) -> TestApp {
    test_support::init_tracing();
    let db = TestDatabase::create(appointment_service::MIGRATIONS);
    let mut settings = test_settings(&db);
    customize(&mut settings);
    start(settings, db).await
}

pub async fn start(settings: Settings, db: TestDatabase) -> TestApp {
    let app = Application::build(settings).await.expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let platform = app.platform();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        db,
        client: reqwest::Client::new(),
        platform,
    }
}

/// A caller known only by a token the service trusts.
#[derive(Clone)]
pub struct Caller {
    pub id: UserId,
    pub token: String,
}

pub fn caller(role: Role) -> Caller {
    let id = UserId::new();
    Caller {
        id,
        token: token_for(id, role),
    }
}

/// A doctor's hours for seeding; the default is the profile defaults (09-17 UTC, Mon-Fri, 30 min).
pub struct Hours {
    pub from: &'static str,
    pub to: &'static str,
    pub timezone: &'static str,
    pub working_days: Vec<i16>,
    pub slot_minutes: i32,
}

impl Default for Hours {
    fn default() -> Self {
        Self {
            from: "09:00",
            to: "17:00",
            timezone: "UTC",
            working_days: vec![1, 2, 3, 4, 5],
            slot_minutes: 30,
        }
    }
}

/// The first `weekday` at least a week from now, so tests never race the clock.
pub fn next(weekday: Weekday) -> NaiveDate {
    let mut day = Utc::now().date_naive() + Duration::days(7);
    while day.weekday() != weekday {
        day += Duration::days(1);
    }
    day
}

pub fn at(day: NaiveDate, hh_mm: &str) -> DateTime<Utc> {
    let time = chrono::NaiveTime::parse_from_str(hh_mm, "%H:%M").unwrap();
    day.and_time(time).and_utc()
}

pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A doctor with a profile written straight into the database.
    pub fn seed_doctor(&self, hours: Hours) -> Caller {
        self.seed_doctor_named(hours, "Gregory", "House", "Diagnostics", Some("Princeton"))
    }

    pub fn seed_doctor_named(
        &self,
        hours: Hours,
        first: &str,
        last: &str,
        specialization: &str,
        location: Option<&str>,
    ) -> Caller {
        let doctor = caller(Role::Doctor);
        let mut conn = self.db.connect();
        diesel::sql_query(
            "INSERT INTO doctor_profiles (id, user_id, first_name, last_name, specialization, \
             available_from, available_to, location, timezone, working_days, slot_minutes) \
             VALUES (gen_random_uuid(), $1, $2, $3, $4, $5::time, $6::time, $7, $8, $9, $10)",
        )
        .bind::<SqlUuid, _>(doctor.id.as_uuid())
        .bind::<Text, _>(first)
        .bind::<Text, _>(last)
        .bind::<Text, _>(specialization)
        .bind::<Text, _>(hours.from)
        .bind::<Text, _>(hours.to)
        .bind::<Nullable<Text>, _>(location)
        .bind::<Text, _>(hours.timezone)
        .bind::<Array<Int2>, _>(hours.working_days)
        .bind::<Int4, _>(hours.slot_minutes)
        .execute(&mut conn)
        .expect("seed doctor");
        doctor
    }

    /// An appointment written straight into the database (for times the API refuses, like the past).
    pub fn seed_appointment(
        &self,
        patient: UserId,
        doctor: UserId,
        start: DateTime<Utc>,
        status: &str,
    ) -> String {
        let id = uuid::Uuid::now_v7();
        let mut conn = self.db.connect();
        diesel::sql_query(
            "INSERT INTO appointments (id, patient_id, doctor_id, appointment_time, end_time, status) \
             VALUES ($1, $2, $3, $4, $4 + interval '30 minutes', $5)",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<SqlUuid, _>(patient.as_uuid())
        .bind::<SqlUuid, _>(doctor.as_uuid())
        .bind::<Timestamptz, _>(start)
        .bind::<Text, _>(status)
        .execute(&mut conn)
        .expect("seed appointment");
        id.to_string()
    }

    pub fn count_appointments(&self) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.db.connect();
        diesel::sql_query("SELECT count(*) AS n FROM appointments")
            .get_result::<Count>(&mut conn)
            .expect("count")
            .n
    }

    pub async fn book(&self, patient: &Caller, doctor: UserId, start: DateTime<Utc>) -> Response {
        self.book_body(
            patient,
            &json!({ "doctor_id": doctor, "appointment_time": rfc3339(start) }),
        )
        .await
    }

    pub async fn book_body(&self, patient: &Caller, body: &Value) -> Response {
        self.client
            .post(self.url("/appointments"))
            .bearer_auth(&patient.token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// Books and returns the appointment's id, asserting 201.
    pub async fn booked(&self, patient: &Caller, doctor: UserId, start: DateTime<Utc>) -> String {
        let res = self.book(patient, doctor, start).await;
        assert_eq!(
            res.status(),
            201,
            "{}",
            res.text().await.unwrap_or_default()
        );
        res.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn get(&self, path: &str, who: &Caller) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(&who.token)
            .send()
            .await
            .expect("request")
    }

    pub async fn put(&self, path: &str, who: &Caller, body: &Value) -> Response {
        self.client
            .put(self.url(path))
            .bearer_auth(&who.token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn delete(&self, path: &str, who: &Caller) -> Response {
        self.client
            .delete(self.url(path))
            .bearer_auth(&who.token)
            .send()
            .await
            .expect("request")
    }

    pub async fn slots(&self, doctor: UserId, day: NaiveDate) -> Vec<Value> {
        let res = self
            .client
            .get(self.url(&format!("/doctors/{doctor}/slots?date={day}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        res.json().await.unwrap()
    }
}

pub async fn assert_problem(res: Response, status: u16) -> Value {
    assert_eq!(res.status(), status);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: Value = res.json().await.expect("problem body");
    assert_eq!(body["status"], status);
    body
}

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

/// auth-service for real, on its own fresh database, signing with the test key.
pub struct Auth {
    pub address: String,
    pub handle: ServerHandle,
    pub _db: TestDatabase,
    pub client: reqwest::Client,
}

pub async fn spawn_auth() -> Auth {
    use auth_service::config::{PeerSettings, SigningKeySource, TokenSettings};
    let db = TestDatabase::create(auth_service::MIGRATIONS);
    let settings = auth_service::Settings {
        environment: Environment::Development,
        http: HttpSettings::ephemeral(),
        database: DbSettings {
            url: Secret::new(db.url.clone()),
            max_connections: 4,
            acquire_timeout: std::time::Duration::from_secs(2),
            statement_timeout: std::time::Duration::from_secs(5),
        },
        tokens: TokenSettings {
            issuer: DEFAULT_ISSUER.into(),
            access_ttl: std::time::Duration::from_secs(900),
            refresh_ttl: std::time::Duration::from_secs(3600),
            signing_key: SigningKeySource::Pem(Secret::new(
                test_support::jwt::test_key().pem.clone(),
            )),
            additional_public_keys: Vec::new(),
        },
        bootstrap_admin: None,
        login_rate_limit_per_minute: 0,
        peers: PeerSettings {
            appointment_url: AUTH_DOWN.into(),
            prescription_url: AUTH_DOWN.into(),
            timeout: std::time::Duration::from_millis(500),
        },
        log_format: LogFormat::Text,
    };
    let app = auth_service::Application::build(settings)
        .await
        .expect("build auth-service");
    let address = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    Auth {
        address,
        handle,
        _db: db,
        client: reqwest::Client::new(),
    }
}

impl Auth {
    /// Registers and logs in a user; returns their id and access token.
    pub async fn user(&self, role: &str, first: &str, last: &str) -> Caller {
        let email = format!("{}@example.com", uuid::Uuid::new_v4().simple());
        let password = "Str0ngPassword";
        let res = self
            .client
            .post(format!("{}/auth/register", self.address))
            .json(&json!({ "email": email, "password": password, "first_name": first, "last_name": last, "role": role }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let login: Value = self
            .client
            .post(format!("{}/auth/login", self.address))
            .json(&json!({ "email": email, "password": password }))
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

impl TestApp {
    /// The audit events matching `query`, after writing the buffered ones.
    pub async fn audit_events(&self, query: &str) -> Vec<Value> {
        self.platform
            .audit
            .as_ref()
            .expect("audit enabled")
            .log
            .flush()
            .await;
        let res = self
            .get(&format!("/admin/audit{query}"), &caller(Role::Admin))
            .await;
        assert_eq!(res.status(), 200);
        res.json().await.expect("audit events")
    }

    pub async fn audit_verification(&self) -> Value {
        self.get("/admin/audit/verify", &caller(Role::Admin))
            .await
            .json()
            .await
            .expect("verification")
    }

    /// Changes one audit row behind the append-only trigger, as a superuser could.
    pub fn tamper_with_audit(&self) {
        self.db.tamper_with_audit();
    }
}
