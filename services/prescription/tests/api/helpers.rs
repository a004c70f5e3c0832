use actix_web::dev::ServerHandle;
use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use common::auth::{DEFAULT_ISSUER, KeySource, VerifierSettings};
use common::config::{Environment, HttpSettings, LogFormat, Secret};
use common::db::DbSettings;
use common::{Role, UserId};
use diesel::RunQueryDsl;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use prescription_service::config::UpstreamSettings;
use reqwest::Response;
use serde_json::{Value, json};
use test_support::db::TestDatabase;
use test_support::jwt::token_for;

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

fn db_settings(db: &TestDatabase) -> DbSettings {
    DbSettings {
        url: Secret::new(db.url.clone()),
        max_connections: 4,
        acquire_timeout: std::time::Duration::from_secs(5),
        statement_timeout: std::time::Duration::from_secs(5),
    }
}

fn static_keys() -> VerifierSettings {
    VerifierSettings {
        issuer: DEFAULT_ISSUER.into(),
        keys: KeySource::Static(test_support::jwt::jwks()),
    }
}

/// A real appointment-service on `port` (0: any), over `db`.
pub async fn start_appointments(db: &TestDatabase, port: u16) -> (String, ServerHandle) {
    let settings = appointment_service::Settings {
        environment: Environment::Development,
        http: HttpSettings {
            port,
            ..HttpSettings::ephemeral()
        },
        database: db_settings(db),
        tokens: static_keys(),
        auth_service: appointment_service::config::UpstreamSettings {
            url: "http://127.0.0.1:9".into(),
            timeout: std::time::Duration::from_millis(500),
        },
        log_format: LogFormat::Text,
    };
    let app = appointment_service::Application::build(settings)
        .await
        .expect("build appointment-service");
    let address = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    (address, handle)
}

pub struct TestApp {
    pub address: String,
    pub db: TestDatabase,
    pub client: reqwest::Client,
    /// appointment-service's database, for seeding doctors and appointments.
    pub appointments_db: TestDatabase,
    pub appointments_address: String,
    pub appointments_handle: ServerHandle,
    pub platform: common::platform::Platform,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with_timeout(std::time::Duration::from_secs(2)).await
}

pub async fn spawn_app_with_timeout(timeout: std::time::Duration) -> TestApp {
    test_support::init_tracing();
    let appointments_db = TestDatabase::create(appointment_service::MIGRATIONS);
    let free_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (appointments_address, appointments_handle) =
        start_appointments(&appointments_db, free_port).await;
    let db = TestDatabase::create(prescription_service::MIGRATIONS);
    let (address, platform) =
        start_prescriptions_with_platform(&db, &appointments_address, timeout).await;
    TestApp {
        address,
        db,
        client: reqwest::Client::new(),
        appointments_db,
        appointments_address,
        appointments_handle,
        platform,
    }
}

pub async fn start_prescriptions(
    db: &TestDatabase,
    appointments_url: &str,
    timeout: std::time::Duration,
) -> String {
    start_prescriptions_with_platform(db, appointments_url, timeout)
        .await
        .0
}

pub async fn start_prescriptions_with_platform(
    db: &TestDatabase,
    appointments_url: &str,
    timeout: std::time::Duration,
) -> (String, common::platform::Platform) {
    let settings = prescription_service::Settings {
        environment: Environment::Development,
        http: HttpSettings::ephemeral(),
        database: db_settings(db),
        tokens: static_keys(),
        appointment_service: UpstreamSettings {
            url: appointments_url.into(),
            timeout,
        },
        log_format: LogFormat::Text,
    };
    let app = prescription_service::Application::build(settings)
        .await
        .expect("build prescription-service");
    let address = format!("http://127.0.0.1:{}", app.port());
    let platform = app.platform();
    tokio::spawn(app.run_until_stopped());
    (address, platform)
}

/// A doctor (with a profile), a patient, and an appointment between them.
pub struct Visit {
    pub doctor: Caller,
    pub patient: Caller,
    pub appointment_id: String,
}

fn next_monday() -> NaiveDate {
    let mut day = Utc::now().date_naive() + Duration::days(7);
    while day.weekday() != Weekday::Mon {
        day += Duration::days(1);
    }
    day
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A booked visit made through appointment-service's API.
    pub async fn visit(&self) -> Visit {
        let doctor = caller(Role::Doctor);
        let patient = caller(Role::Patient);
        let mut conn = self.appointments_db.connect();
        diesel::sql_query(
            "INSERT INTO doctor_profiles (id, user_id, first_name, last_name, specialization, \
             available_from, available_to, timezone, working_days, slot_minutes) \
             VALUES (gen_random_uuid(), $1, 'James', 'Wilson', 'Oncology', '00:00', '23:30', 'UTC', '{1,2,3,4,5,6,7}', 30)",
        )
        .bind::<SqlUuid, _>(doctor.id.as_uuid())
        .execute(&mut conn)
        .expect("seed doctor");
        // A random free slot of a day a week ahead: patients in one test never collide.
        let minute = 30 * (uuid::Uuid::new_v4().as_u128() % 46) as i64;
        let start =
            next_monday().and_hms_opt(0, 0, 0).unwrap().and_utc() + Duration::minutes(minute);
        let res = self
            .client
            .post(format!("{}/appointments", self.appointments_address))
            .bearer_auth(&patient.token)
            .json(&json!({ "doctor_id": doctor.id, "appointment_time": start.to_rfc3339() }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            201,
            "{}",
            res.text().await.unwrap_or_default()
        );
        let appointment_id = res.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        Visit {
            doctor,
            patient,
            appointment_id,
        }
    }

    pub fn set_appointment_status(&self, appointment_id: &str, status: &str) {
        let mut conn = self.appointments_db.connect();
        diesel::sql_query("UPDATE appointments SET status = $1 WHERE id = $2::uuid")
            .bind::<Text, _>(status)
            .bind::<Text, _>(appointment_id)
            .execute(&mut conn)
            .expect("set status");
    }

    pub async fn prescribe(&self, who: &Caller, body: &Value) -> Response {
        self.client
            .post(self.url("/prescriptions"))
            .bearer_auth(&who.token)
            .json(body)
            .send()
            .await
            .expect("request")
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

    /// Prescribes for `visit` and returns the prescription's path.
    pub async fn prescribed(&self, visit: &Visit) -> String {
        let res = self
            .prescribe(&visit.doctor, &prescription_for(&visit.appointment_id))
            .await;
        assert_eq!(
            res.status(),
            201,
            "{}",
            res.text().await.unwrap_or_default()
        );
        format!(
            "/prescriptions/{}",
            res.json::<Value>().await.unwrap()["id"].as_str().unwrap()
        )
    }

    pub fn count(&self, table: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.db.connect();
        diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
            .get_result::<Count>(&mut conn)
            .expect("count")
            .n
    }
}

pub fn medicine(name: &str) -> Value {
    json!({ "name": name, "dosage": "500 mg", "duration": "7 days", "frequency": "twice a day" })
}

pub fn prescription_for(appointment_id: &str) -> Value {
    json!({ "appointment_id": appointment_id, "notes": "take with food", "medicines": [medicine("Amoxicillin")] })
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
