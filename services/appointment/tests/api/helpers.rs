use appointment_service::{Application, Settings};
use chrono::{DateTime, NaiveDate, Utc};
use common::auth::VerifierSettings;
use common::{Role, UserId};
use diesel::RunQueryDsl;
use diesel::sql_types::{Array, Int2, Int4, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use reqwest::Response;
use serde_json::{Value, json};
pub use test_peers::{RealAuth, start_auth, start_auth_with};
pub use test_support::api::{Api, Caller, assert_problem, caller, error_fields, named_caller};
pub use test_support::dates::{at, next, rfc3339};
use test_support::db::TestDatabase;
pub use test_support::serve::eventually;
use test_support::serve::{Served, serve};

pub struct TestApp {
    pub address: String,
    pub db: TestDatabase,
    pub client: reqwest::Client,
    pub platform: common::platform::Platform,
}

test_support::impl_api!(TestApp);

/// The real configuration for tests, trusting the test key; auth-service is down.
pub fn test_settings(db: &TestDatabase) -> Settings {
    let mut settings = Settings::for_tests(&db.url);
    settings.tokens = VerifierSettings::trusting(test_support::jwt::jwks());
    settings.auth_service.timeout = std::time::Duration::from_millis(1000);
    settings
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

/// A doctor's calendar for seeding; the default is the profile defaults (09-17 UTC,
/// Mon-Fri, 30 min, no breaks, 60 minutes' notice, 180 days ahead, 24 hours' cancellation
/// notice, two bookings a day per patient).
pub struct Hours {
    pub from: &'static str,
    pub to: &'static str,
    pub timezone: &'static str,
    pub working_days: Vec<i16>,
    pub slot_minutes: i32,
    /// JSON, `[{"from": "12:00", "to": "13:00"}]`
    pub breaks: &'static str,
    pub min_notice_minutes: i32,
    pub booking_horizon_days: i32,
    pub cancellation_notice_hours: i32,
    pub max_daily_bookings_per_patient: i32,
}

impl Default for Hours {
    fn default() -> Self {
        Self {
            from: "09:00",
            to: "17:00",
            timezone: "UTC",
            working_days: vec![1, 2, 3, 4, 5],
            slot_minutes: 30,
            breaks: "[]",
            min_notice_minutes: 60,
            booking_horizon_days: 180,
            cancellation_notice_hours: 24,
            max_daily_bookings_per_patient: 2,
        }
    }
}

impl TestApp {
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
        self.seed_profile_of(&doctor, hours, first, last, specialization, location);
        doctor
    }

    /// A profile for `doctor` (e.g. an account of a real auth-service).
    pub fn seed_profile_of(
        &self,
        doctor: &Caller,
        hours: Hours,
        first: &str,
        last: &str,
        specialization: &str,
        location: Option<&str>,
    ) {
        let mut conn = self.db.connect();
        diesel::sql_query(
            "INSERT INTO doctor_profiles (id, user_id, first_name, last_name, specialization, \
             available_from, available_to, location, timezone, working_days, slot_minutes, \
             breaks, min_notice_minutes, booking_horizon_days, cancellation_notice_hours, \
             max_daily_bookings_per_patient) \
             VALUES (gen_random_uuid(), $1, $2, $3, $4, $5::time, $6::time, $7, $8, $9, $10, \
             $11::jsonb, $12, $13, $14, $15)",
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
        .bind::<Text, _>(hours.breaks)
        .bind::<Int4, _>(hours.min_notice_minutes)
        .bind::<Int4, _>(hours.booking_horizon_days)
        .bind::<Int4, _>(hours.cancellation_notice_hours)
        .bind::<Int4, _>(hours.max_daily_bookings_per_patient)
        .execute(&mut conn)
        .expect("seed doctor");
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
        self.db.count_rows("appointments")
    }

    pub async fn book(&self, patient: &Caller, doctor: UserId, start: DateTime<Utc>) -> Response {
        self.book_body(
            patient,
            &json!({ "doctor_id": doctor, "appointment_time": rfc3339(start) }),
        )
        .await
    }

    pub async fn book_body(&self, patient: &Caller, body: &Value) -> Response {
        self.post("/appointments", patient, body).await
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

impl TestApp {}

impl TestApp {
    /// `POST /appointments` with `"hold": true`.
    pub async fn hold(&self, patient: &Caller, doctor: UserId, start: DateTime<Utc>) -> Response {
        self.book_body(
            patient,
            &json!({ "doctor_id": doctor, "appointment_time": rfc3339(start), "hold": true }),
        )
        .await
    }

    pub async fn confirm(&self, patient: &Caller, id: &str) -> Response {
        self.post(&format!("/appointments/{id}/confirm"), patient, &json!({}))
            .await
    }

    /// Stops the instance as SIGTERM would: its background passes end, the server drains.
    pub fn stop(&self) {
        self.platform.lifecycle.start_draining();
    }
}
