use actix_web::dev::ServerHandle;
use common::Role;
use common::auth::VerifierSettings;
use diesel::RunQueryDsl;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use reqwest::Response;
use serde_json::{Value, json};
pub use test_support::api::{
    Api, Caller, assert_problem, caller, error_fields, named_caller, named_caller_as,
};
use test_support::db::TestDatabase;
use test_support::serve::{Served, serve};

/// A real appointment-service on `port` (0: any), over `db`.
pub async fn start_appointments(db: &TestDatabase, port: u16) -> Served {
    test_peers::start_appointments(db, |s| s.http.port = port).await
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
    let db = TestDatabase::create(prescription_service::MIGRATIONS);
    spawn_app_from(
        db,
        reqwest::Client::new(),
        |_| {},
        |s| {
            s.appointment_service.timeout = timeout;
        },
    )
    .await
}

/// Both services, each with its test settings changed by `appointments` and
/// `prescriptions`; prescription-service over `db` (created or migrated by the test);
/// `client` calls both (one trusting their certificate when they serve TLS).
pub async fn spawn_app_from(
    db: TestDatabase,
    client: reqwest::Client,
    appointments: impl FnOnce(&mut appointment_service::Settings),
    prescriptions: impl FnOnce(&mut prescription_service::Settings),
) -> TestApp {
    test_support::init_tracing();
    let appointments_db = TestDatabase::create(appointment_service::MIGRATIONS);
    // On port 0: a test that restarts it reads the port it got from its address.
    let appointments = test_peers::start_appointments(&appointments_db, appointments).await;
    let appointments_address = appointments.address;
    let (address, platform) = start_prescriptions_with(&db, |settings| {
        settings.appointment_service.url = appointments_address.clone();
        prescriptions(settings);
    })
    .await;
    TestApp {
        address,
        db,
        client,
        appointments_db,
        appointments_address,
        appointments_handle: appointments.handle,
        platform,
    }
}

pub async fn start_prescriptions(
    db: &TestDatabase,
    appointments_url: &str,
    timeout: std::time::Duration,
) -> String {
    start_prescriptions_with(db, |settings| {
        settings.appointment_service.url = appointments_url.into();
        settings.appointment_service.timeout = timeout;
    })
    .await
    .0
}

async fn start_prescriptions_with(
    db: &TestDatabase,
    customize: impl FnOnce(&mut prescription_service::Settings),
) -> (String, common::platform::Platform) {
    let mut settings = prescription_service::Settings::for_tests(&db.url);
    settings.tokens = VerifierSettings::trusting(test_support::jwt::jwks());
    customize(&mut settings);
    let app = prescription_service::Application::build(settings)
        .await
        .expect("build prescription-service");
    let Served {
        address, platform, ..
    } = serve(app);
    (address, platform)
}

/// A doctor (with a profile), a patient, and an appointment between them.
pub struct Visit {
    pub doctor: Caller,
    pub patient: Caller,
    pub appointment_id: String,
}

test_support::impl_api!(TestApp);

impl TestApp {
    /// A booked visit made through appointment-service's API.
    pub async fn visit(&self) -> Visit {
        self.visit_of(caller(Role::Patient)).await
    }

    /// A booked visit of `patient` with a new doctor.
    pub async fn visit_of(&self, patient: Caller) -> Visit {
        let doctor = caller(Role::Doctor);
        let mut conn = self.appointments_db.connect();
        diesel::sql_query(
            "INSERT INTO doctor_profiles (id, user_id, first_name, last_name, specialization, \
             available_from, available_to, timezone, working_days, slot_minutes) \
             VALUES (gen_random_uuid(), $1, 'James', 'Wilson', 'Oncology', '00:00', '23:30', 'UTC', '{1,2,3,4,5,6,7}', 30)",
        )
        .bind::<SqlUuid, _>(doctor.id.as_uuid())
        .execute(&mut conn)
        .expect("seed doctor");
        // A random slot of a day a week ahead; another one when the patient already has
        // a visit there (a patient with several visits in one test).
        let monday = test_support::dates::next(chrono::Weekday::Mon);
        let mut attempts = 0;
        let res = loop {
            let minute = 30 * (uuid::Uuid::new_v4().as_u128() % 46) as i64;
            let start =
                test_support::dates::at(monday, "00:00") + chrono::Duration::minutes(minute);
            let res = self
                .client
                .post(format!("{}/appointments", self.appointments_address))
                .bearer_auth(&patient.token)
                .json(&json!({ "doctor_id": doctor.id, "appointment_time": start.to_rfc3339() }))
                .send()
                .await
                .unwrap();
            attempts += 1;
            if res.status() != 409 || attempts == 20 {
                break res;
            }
        };
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
        self.post("/prescriptions", who, body).await
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
        self.db.count_rows(table)
    }
}

pub fn medicine(name: &str) -> Value {
    json!({ "name": name, "dosage": "500 mg", "duration": "7 days", "frequency": "twice a day" })
}

pub fn prescription_for(appointment_id: &str) -> Value {
    json!({ "appointment_id": appointment_id, "notes": "take with food", "medicines": [medicine("Amoxicillin")] })
}

impl TestApp {
    /// The audit events of `action`, oldest first.
    pub async fn audited(&self, action: &str) -> Vec<Value> {
        let mut events: Vec<Value> = self
            .audit_events("?limit=200")
            .await
            .into_iter()
            .filter(|e| e["action"] == action)
            .collect();
        events.reverse();
        events
    }
}
